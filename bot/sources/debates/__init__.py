"""Petition debates as a target kind: every petition debate, scheduled, moved, held or refused."""
