"""The API's role checks, as ``Annotated`` dependencies over :mod:`esign.http.deps`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..db.models import UserRole
from ..http.deps import ActorDep, Roles, ServiceDep
from ..workflows.actors import Actor

__all__ = ["ActorDep", "ServiceDep"]

CLERK, OFFICIAL, ADMIN = UserRole.CLERK, UserRole.OFFICIAL, UserRole.ADMIN
AdminUsers = Annotated[Actor, Depends(Roles(ADMIN, scope="users"))]
AdminCertificates = Annotated[Actor, Depends(Roles(ADMIN, scope="certificates"))]
FeeQuoter = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="fees"))]
DossierClerk = Annotated[Actor, Depends(Roles(CLERK, scope="dossiers"))]
DossierReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, OFFICIAL, scope="dossiers"))]
ReceiptClerk = Annotated[Actor, Depends(Roles(CLERK, scope="receipts"))]
ReceiptReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="receipts"))]
ResultPreparer = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="results"))]
ResultSigner = Annotated[Actor, Depends(Roles(OFFICIAL, scope="results"))]
ResultReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, OFFICIAL, scope="results"))]
ReportReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="reports"))]
TimestampClient = Annotated[Actor, Depends(Roles(CLERK, OFFICIAL, ADMIN, scope="tsa"))]
"""Our TSA answers only the service's own clients: a timestamp from it is trusted as ours."""
