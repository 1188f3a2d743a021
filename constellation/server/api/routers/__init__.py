"""The API's routers, one per area: organisations, OKRs, check-ins, the coach and tokens."""
