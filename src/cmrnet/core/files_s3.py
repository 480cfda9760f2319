"""The S3-compatible storage with the site's safe writes (imported only when CMRNET_STORAGE=s3,
as it needs boto3)."""

from storages.backends.s3 import S3Storage as _S3Storage

from cmrnet.core.files import SafeWritesMixin


class S3Storage(SafeWritesMixin, _S3Storage):
    pass
