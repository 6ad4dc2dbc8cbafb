"""
WSGI config for crm project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.1/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the URL and model registries: well
# over 100,000 objects) lives as long as the worker. Frozen, the garbage
# collector stops scanning it: otherwise a full collection scans it all in the
# middle of some request, and that pause is what a page's p95 shows (bench/README.md).
gc.freeze()
