"""Upstream sources. Each subpackage fetches, parses, detects and renders one kind of target."""
