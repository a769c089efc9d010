"""``hal config storage azs|oracle``: the stores front50 can use besides the hand-written s3/gcs.

Halyard: halyard-cli .../command/v1/config/persistentStorage/{azs,oracle}/** (flags);
halyard-config model/v1/persistentStorage/AzsPersistentStore.java,
OraclePersistentStore.java (keys under ``persistentStorage.<type>``).  Halyard has no
``storage redis`` command (``hal config storage edit --type redis`` selects it; host and
port come from the Redis service).  front50 gets every store as ``spinnaker.<type>``
with ``enabled`` only for ``persistentStoreType`` (render/profiles/front50.py).
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group

_S = "halyard-cli config/persistentStorage/"

HELP: dict[str, str] = {}

GROUPS = (
    Group(("config", "storage", "azs"), ("persistentStorage", "azs"),
          "Azure Storage.",
          _S + "azs/AzsCommand.java, AzsEditCommand.java; model persistentStorage/"
               "AzsPersistentStore.java",
          edit=(
              Flag("storage-account-name", "storageAccountName", help="Azure storage "
                   "account."),
              Flag("storage-account-key", "storageAccountKey", help="Key of that storage "
                   "account.", secret=True),
              Flag("storage-container-name", "storageContainerName", help="Container "
                   "front50 keeps its data in (Halyard's default: spinnaker)."),
          )),
    Group(("config", "storage", "oracle"), ("persistentStorage", "oracle"),
          "Oracle Cloud Object Storage.",
          _S + "oracle/OracleCommand.java, OracleEditCommand.java; model persistentStorage/"
               "OraclePersistentStore.java",
          edit=(
              Flag("bucket-name", "bucketName", help="Bucket front50 uses."),
              Flag("namespace", "namespace", help="Object storage namespace."),
              Flag("compartment-id", "compartmentId", help="OCID of the compartment."),
              Flag("region", "region", help="Region of the bucket."),
              Flag("user-id", "userId", help="OCID of the user front50 acts as."),
              Flag("fingerprint", "fingerprint", help="Fingerprint of that user's API key."),
              Flag("ssh-private-key-file-path", "sshPrivateKeyFilePath", help="That API "
                   "key's private key file.", file=True),
              Flag("private-key-passphrase", "privateKeyPassphrase", help="Passphrase of "
                   "the private key.", secret=True),
              Flag("tenancy-id", "tenancyId", help="OCID of the tenancy."),
          )),
)
