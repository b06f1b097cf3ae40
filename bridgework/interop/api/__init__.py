"""The REST API under /api/v1/ (docs/api.md): django-ninja routers over the areas' doors and
actions, authenticated by personal access tokens only."""
