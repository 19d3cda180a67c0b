"""Groups of workers: the same flows run by several processes that share the load (see
:mod:`flowrt.group.group`)."""

from flowrt.group.group import Group, default_worker_name
from flowrt.group.leases import Lease
from flowrt.group.member import Member

__all__ = ["Group", "Lease", "Member", "default_worker_name"]
