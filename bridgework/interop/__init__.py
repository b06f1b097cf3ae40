"""Interoperability: the REST API (/api/v1/, personal access tokens) and FHIR R4 records.

It stands beside `research`, above every clinical area, and reads and changes client data only
through those areas' doors and actions (docs/architecture.md, docs/api.md, docs/fhir.md)."""
