"""A client's record as a FHIR R4 Bundle, one module per kind of resource (docs/fhir.md)."""
