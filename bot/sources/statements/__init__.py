"""Government statements as a target kind: a department and keywords, from GOV.UK and Parliament."""
