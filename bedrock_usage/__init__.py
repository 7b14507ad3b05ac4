"""Shared core of bedrock-usage: log layout, engines, the tracker and its renderers."""
