"""The sync: every selected stream of every advertiser, from TikTok into the destination.

A page's way, one module per hop: :mod:`.plan` decides the requests, :mod:`.extract` sends them through
the one API client on an asyncio loop, :mod:`.arrow` turns each page into a typed Arrow table,
:mod:`.source` hands the tables to dlt as resources, and :mod:`.destination` loads them. :mod:`.run`
strings the phases together under :mod:`.lock` (one run per pipeline) and :mod:`.stopping` (Ctrl-C and
SIGTERM stop between pages); :mod:`.stats` counts, :mod:`.advertisers` finds whom to read.
"""

from tiktok_ads_mart.sync.run import Reporter, SyncResult, run_sync

__all__ = ["Reporter", "SyncResult", "run_sync"]
