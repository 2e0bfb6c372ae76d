"""Authentication and authorisation plumbing without domain knowledge (docs/security.md).

Bearer JWTs (the platform's own EdDSA tokens or an OIDC provider's), department API keys stored as
peppered digests, roles, the org-path scope rule, FastAPI dependencies, the audit log, and the allow-list
of event producers.
"""

from servicekit.auth.principal import Place, Principal, in_scope, narrow
from servicekit.auth.roles import ADMINS, ALL_ROLES, DEPARTMENTS, OPERATORS, STAFF, SUPERVISORS, Role

__all__ = ["ADMINS", "ALL_ROLES", "DEPARTMENTS", "OPERATORS", "STAFF", "SUPERVISORS", "Place", "Principal", "Role",
           "in_scope", "narrow"]
