"""Questions plans' pages ask the apps above it, answered in their AppConfig.ready()
(bridgework.lib.hooks); plans never imports them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bridgework.lib.hooks import Hook
from bridgework.plans.models import ActionPlan

# The review page's "What was practised": the plan's practice logs, newest first, as lines for
# the template "practice/_log_lines.html". (Answered by practice.)
practice_of: Hook[[HttpRequest, ActionPlan], list[Any]] = Hook("a plan's practice, for its review")
