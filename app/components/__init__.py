"""Optional parts of the service container, one module per area.

Each module defines `async def setup(services, stack)`: it builds what its area needs (a cache, a client,
a background task), stores it on `services.extras` under its own key, registers clean-up on `stack`, and
offers a typed accessor (e.g. `def marketplace_cache(services) -> MarketplaceCache`).
Modules run in name order; prefix a number to order them.
"""
