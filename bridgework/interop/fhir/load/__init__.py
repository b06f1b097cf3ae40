"""Taking a FHIR Bundle into a clinic through the areas' actions (docs/fhir.md)."""
