"""Written parliamentary questions as a target kind: a department's questions, or one question."""
