"""The engagement model's data, made from a study's export tables: pure pandas (no Django), so
a researcher gets the same frame from the files they download as the analyses page does from
the database.

    import pandas as pd
    from bridgework.research.recipe import COLUMNS, MODEL_TABLES, engagement_frame
    from bridgework.research.multilevel import engagement_model
    tables = {
        name: pd.read_parquet(f"export/{name}.parquet", columns=list(COLUMNS[name]))
        for name in MODEL_TABLES
    }
    model = engagement_model(engagement_frame(tables))

The recipe, one row per client and session:
- `client`: the study pseudonym (`sessions.client_id`);
- `session`: the session's number in the client's course (`sessions.number`);
- `time`: weeks since the client's first session in the data (`sessions.starts_at`; dates
  shifted per client keep their intervals, so this is the same shifted or not);
- `engagement`: how much of the work agreed for the week after that session the client did,
  as the review at the client's next session recorded it (`reviews.done`, 0 = not at all … 4 =
  all of it, or more): a review in session n speaks of the week after session n − 1, whether
  the plan was set then or kept from earlier ("continue"); the mean when several plans were
  reviewed; missing when nothing was reviewed (a client who did not come back);
- `symptoms`: the PHQ-9 total completed for that session (`measure_responses.total` where
  `instrument` is "phq-9"; the mean if there were two).

`multilevel.engagement_model` then pairs session s − 1's engagement with session s's symptoms:
the plan agreed in one session, done (or not) in the week after, against the PHQ-9 before the
next session. Within = that engagement minus the client's mean of it; between = the client's
mean minus the grand mean.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["COLUMNS", "MODEL_TABLES", "SYMPTOMS", "engagement_frame"]

MODEL_TABLES = ("sessions", "reviews", "measure_responses")
# The only columns the recipe reads: a researcher may read no more from the files, and the
# analyses page asks the database for no more (research.export.recipe_rows).
COLUMNS: dict[str, tuple[str, ...]] = {
    "sessions": ("session_id", "client_id", "number", "starts_at"),
    "reviews": ("session_id", "done"),
    "measure_responses": ("session_id", "instrument", "total"),
}
SYMPTOMS = "phq-9"


def engagement_frame(tables: Mapping[str, pd.DataFrame], symptoms: str = SYMPTOMS) -> pd.DataFrame:
    """The recipe above: columns client, session, time, engagement, symptoms."""
    missing = [name for name in MODEL_TABLES if name not in tables]
    if missing:
        raise ValueError(f"The engagement model needs the table(s) {', '.join(missing)}.")
    sessions = tables["sessions"][list(COLUMNS["sessions"])].copy()
    sessions["starts_at"] = pd.to_datetime(sessions["starts_at"], utc=True)
    first = sessions.groupby("client_id")["starts_at"].transform("min")
    sessions["time"] = (sessions["starts_at"] - first).dt.total_seconds() / (7 * 24 * 3600)
    frame = sessions.merge(engagement_by_session(tables), on="session_id", how="left")
    frame = frame.merge(symptoms_by_session(tables, symptoms), on="session_id", how="left")
    frame = frame.rename(columns={"client_id": "client", "number": "session"})
    frame = frame.sort_values(["client", "session"], kind="stable").reset_index(drop=True)
    return frame[["client", "session", "time", "engagement", "symptoms"]]


def engagement_by_session(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each review's `done`, filed under the client's session before the review's own."""
    sessions = tables["sessions"][["session_id", "client_id", "number"]]
    reviews = tables["reviews"][list(COLUMNS["reviews"])].dropna()
    reviewed = reviews.merge(sessions, on="session_id").astype({"done": float})
    reviewed["number"] = reviewed["number"] - 1
    before = reviewed.drop(columns="session_id").merge(sessions, on=["client_id", "number"])
    by_session = before.groupby("session_id")["done"].mean()
    return pd.DataFrame({"session_id": by_session.index, "engagement": by_session.to_numpy()})


def symptoms_by_session(tables: Mapping[str, pd.DataFrame], symptoms: str) -> pd.DataFrame:
    responses = tables["measure_responses"]
    chosen = responses[responses["instrument"] == symptoms][["session_id", "total"]].dropna()
    by_session = chosen.astype({"total": float}).groupby("session_id")["total"].mean()
    return pd.DataFrame({"session_id": by_session.index, "symptoms": by_session.to_numpy()})
