import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
application = get_wsgi_application()

# What loading the app made lives as long as the worker: kept out of the garbage collector's
# rounds, a full collection during a request walks only what requests made (docs/performance.md:
# those pauses were the slow tail of the client page).
gc.freeze()
