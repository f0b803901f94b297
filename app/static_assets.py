"""Browser assets served by the app itself, so GraphiQL and the API docs render without internet access.

The files under `app/static/vendor/` are the unmodified npm builds (React 18.2.0, ReactDOM 18.2.0,
js-cookie 3.0.5, GraphiQL 3.8.3, @graphiql/plugin-explorer 1.0.2, swagger-ui-dist 5.18.2).
Strawberry's GraphiQL page loads exactly these versions from a CDN with subresource-integrity
hashes; we point it at our copies and keep the hashes, so the browser still checks them.
"""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import BeforeRequestHookHandler, ControllerRouterHandler

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"
VENDOR = f"{STATIC_PATH}/vendor"

# CDN address used by Strawberry's GraphiQL page -> our copy
GRAPHIQL_ASSETS: dict[str, str] = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": f"{VENDOR}/graphiql/react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": f"{VENDOR}/graphiql/react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": f"{VENDOR}/graphiql/js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": f"{VENDOR}/graphiql/graphiql.min.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": f"{VENDOR}/graphiql/plugin-explorer.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": f"{VENDOR}/graphiql/graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": f"{VENDOR}/graphiql/plugin-explorer.umd.js",
}

SWAGGER_FAVICON = f"<link rel='icon' type='image/png' href='{VENDOR}/swagger-ui/favicon-32x32.png'>"


def static_files_router(before_request: BeforeRequestHookHandler | None = None) -> ControllerRouterHandler:
    return create_static_files_router(
        before_request=before_request,
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        include_in_schema=False,
        cache_control=None,
        name="static",
    )


def localize_graphiql_html(html: str) -> str:
    """Strawberry's GraphiQL page with every CDN asset replaced by the copy we serve."""
    for remote, local in GRAPHIQL_ASSETS.items():
        html = html.replace(remote, local)
    return html


def swagger_plugin() -> SwaggerRenderPlugin:
    """Swagger UI at /api/co/schema (and /api/co/schema/swagger), loading its bundle from /static."""
    return SwaggerRenderPlugin(
        js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
        standalone_preset_js_url=f"{VENDOR}/swagger-ui/swagger-ui-standalone-preset.js",
        path=["/", "/swagger"],
        favicon=SWAGGER_FAVICON,
    )
