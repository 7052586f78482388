"""HTTP plumbing the faces share (the API, the staff pages, the public pages): the service and
the caller as ``Annotated`` dependencies (:mod:`.deps`), the JSON error body and its handlers
(:mod:`.errors`), the session cookie (:mod:`.cookies`). It imports no face; the composition
root (:mod:`esign.app`) builds the app from the faces."""

API_PREFIX = "/api/v1"
"""Where the JSON API lives (the API's routes, and the public ``POST /api/v1/verify``)."""
