"""Accountability Alerts: a Telegram bot that follows UK Parliament petitions for its chats."""
