"""The API's documentation pages under the site's strict Content-Security-Policy.

drf-spectacular's default pages use an inline script (Swagger UI's start-up) and inline styles, which
`script-src 'self'` / `style-src 'self'` refuse, so /api/v1/docs/ stayed blank. Here:
- Swagger UI is drf-spectacular's split view: its start-up script is served as a file (`?script`), and
  the page's own styles come from static/core/api-docs.css;
- ReDoc starts from its `<redoc>` element's attributes (no inline script). It writes its styles into
  `<style>` elements at run time (styled-components): those carry a per-request nonce, which is added
  to `style-src` for this page only. Search is off (it runs in a worker made from a blob: URL, which
  the policy refuses).
Both load their scripts from the vendored sidecar package (no CDN).
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "core/api/swagger_ui.html"


@method_decorator(csp_update({"style-src": [NONCE]}), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "core/api/redoc.html"
