"""The legacy REST face under /api/co: thin controllers, wire structs, legacy error shapes."""
