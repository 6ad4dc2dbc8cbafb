"""The phase colours as a stylesheet, which every page links (base.html)."""

import hashlib

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET

from opportunities.models import Phase


@require_GET
@login_not_required
def phase_styles(request):
    """One CSS custom property per phase: `.phase-<id> { --phase-color: … }`.

    The CSP allows styles from our origin only (no style="" attributes), and
    phase colours are admin-defined rows, so they come as a tiny stylesheet.
    The colour column is checked by a regex constraint, so it is safe CSS.
    """
    colors = Phase.objects.order_by("pk").values_list("pk", "color")
    css = "".join(f".phase-{pk}{{--phase-color:{color}}}\n" for pk, color in colors)
    etag = quote_etag(hashlib.md5(css.encode(), usedforsecurity=False).hexdigest())
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    # Revalidate every time (cheap 304s) so an admin's colour change shows at once.
    patch_cache_control(response, no_cache=True)
    return get_conditional_response(request, etag=etag, response=response)
