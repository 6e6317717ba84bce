"""The government's late list as a target kind: `/follow overdue`, for every petition or some."""
