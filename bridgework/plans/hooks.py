"""Questions plans' pages ask the apps above it, answered in their AppConfig.ready()
(bridgework.lib.hooks); plans never imports them."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.safestring import SafeString

from bridgework.lib.hooks import Hook
from bridgework.plans.models import ActionPlan

# The review page's "Practice since it was agreed": the plan's practice logs, newest first, as
# the HTML the page shows. (Answered by practice, which renders its own lines.)
practice_of: Hook[[HttpRequest, ActionPlan], SafeString] = Hook("a plan's practice, for its review")
