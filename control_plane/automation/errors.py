"""Seed 004's error codes, where the seed puts them.

| code | status | when |
| --- | --- | --- |
| AUTO_001 | 404 | the workflow does not exist, or belongs to another organisation |
| AUTO_002 | 400 | a node is not connected (executing, activating or testing an incomplete graph) |
| AUTO_003 | 400 | a cycle that does not go through a `loop` node |
| AUTO_004 | 400 | a node needs an integration that is missing, disabled or of the wrong type |
| AUTO_005 | 409 | an execution in progress forbids it (retrying a running execution...) |
| AUTO_006 | 504 | the execution ran past `timeout_seconds` (also its runs' `error_code`) |
| AUTO_007 | 400 | invalid data: a bad expression, a node config or input that fails its checks |
"""

from control_plane.errors import ErrorKind

WORKFLOW_NOT_FOUND = ErrorKind(404, "AUTO_001", "Workflow non trouvé")
NODE_NOT_CONNECTED = ErrorKind(400, "AUTO_002", "Nœud non connecté")
CIRCULAR_DEPENDENCY = ErrorKind(400, "AUTO_003", "Dépendance circulaire")
INTEGRATION_NOT_CONFIGURED = ErrorKind(400, "AUTO_004", "Integration non configurée")
EXECUTION_IN_PROGRESS = ErrorKind(409, "AUTO_005", "Exécution en cours")
EXECUTION_TIMEOUT = ErrorKind(504, "AUTO_006", "Timeout d'exécution")
INVALID_DATA = ErrorKind(400, "AUTO_007", "Données invalides")
