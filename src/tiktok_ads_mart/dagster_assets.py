"""Dagster assets for the sync's streams, through dagster-dlt (the ``[dagster]`` extra).

One asset per stream, all materialized by one multi-asset op that runs the public
:func:`~tiktok_ads_mart.sync.public_source.tiktok_ads` source, partitioned by advertiser:

- a partition is one advertiser's run, in a dlt pipeline of its own (``<pipeline_name>_<advertiser_id>``).
  Its state (the cursors) is its own, so partitions run on different workers, in any order, into one
  dataset without touching each other's rows, the way ``sync --shard`` does;
- partitions that run at once share the app's rate limits: each keeps to 1/``concurrent_partitions`` of
  them, and the Dagster pool named ``pool`` must admit no more than that many at once (``dagster.yaml``:
  ``concurrency: pools: default_limit``, or ``dagster instance concurrency set``).

Building the assets reads no secret and sends no request: the access token is dlt configuration read when
a partition runs (``SOURCES__TIKTOK_ADS__ACCESS_TOKEN`` or ``.dlt/secrets.toml``), so a code location loads
without it.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dlt

try:
    import dagster as dg
    from dagster import AssetExecutionContext
    from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
    from dagster_dlt.translator import DltResourceTranslatorData
except ImportError as missing:  # the default install has no Dagster
    raise ImportError(
        f"tiktok_ads_mart.dagster_assets needs the [dagster] extra ({missing.name} is not installed): "
        "pip install 'tiktok-ads-mart[dagster]'"
    ) from None

from tiktok_ads_mart.errors import ConfigError
from tiktok_ads_mart.sync.public_source import tiktok_ads

_TOKEN_NOT_READ_HERE = "read-when-a-partition-runs"
"""What the definition-time source holds instead of a token: that source only names the resources, and
no resource of it is ever iterated (every run builds its own source)."""


class _StreamKeys(DagsterDltTranslator):
    """Assets keyed ``<key_prefix>/<stream>``; TikTok, not another asset, is where they come from."""

    def __init__(self, key_prefix: Sequence[str]) -> None:
        self.key_prefix = list(key_prefix)

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(key=dg.AssetKey([*self.key_prefix, data.resource.name]), deps=[])


def tiktok_ads_assets(
    advertiser_ids: Sequence[str],
    *,
    destination: Any = "duckdb",
    dataset_name: str = "tiktok",
    pipeline_name: str = "tiktok_ads",
    pipelines_dir: str | None = None,
    streams: Sequence[str] | None = None,
    concurrent_partitions: int = 1,
    pool: str = "tiktok_ads",
    key_prefix: Sequence[str] = ("tiktok_ads",),
    name: str = "tiktok_ads",
    source_options: Mapping[str, Any] | None = None,
) -> dg.AssetsDefinition:
    """The streams as Dagster assets, one partition per advertiser.

    Args:
        advertiser_ids: the partitions: the ad accounts to read.
        destination, dataset_name: where the tables go (a dlt destination name or object; ``"duckdb"`` is
            ``<pipeline_name>.duckdb`` in the working directory, shared by the partitions). Partitions that
            run at once need a destination several writers may load into at once; a DuckDB file takes
            one writer, so keep ``concurrent_partitions`` at 1 with it.
        pipeline_name: the prefix of each partition's dlt pipeline.
        pipelines_dir: where dlt keeps the pipelines' working directories (dlt's default if None).
        streams: stream names (``tiktok-ads-mart sync --list-streams``); default: dlt's configuration,
            else all.
        concurrent_partitions: how many partitions the pool lets run at once: the app's QPS and QPM are
            divided by it.
        pool: the Dagster concurrency pool of the op.
        key_prefix: the assets' key prefix.
        name: the op's name.
        source_options: further arguments of ``tiktok_ads`` (``lookback_days``, ``start_date``,
            ``api_base``, ``qps``, ``qpm``...), also readable from dlt configuration.
    """
    ids = [str(advertiser_id) for advertiser_id in advertiser_ids]
    if not ids:
        raise ConfigError("tiktok_ads_assets: advertiser_ids is empty; name the ad accounts to read")
    if len(set(ids)) != len(ids):
        raise ConfigError("tiktok_ads_assets: an advertiser id is named twice")
    if isinstance(concurrent_partitions, bool) or concurrent_partitions < 1:
        raise ConfigError(f"tiktok_ads_assets: concurrent_partitions {concurrent_partitions!r} is below 1")
    options = dict(source_options or {})
    reserved = {"access_token", "advertiser_ids", "streams", "concurrent_runs"} & options.keys()
    if reserved:
        raise ConfigError(f"tiktok_ads_assets: source_options may not set {', '.join(sorted(reserved))}")
    if streams is not None:  # else dlt's configuration may name them (SOURCES__TIKTOK_ADS__STREAMS)
        options["streams"] = list(streams)
    if destination == "duckdb":  # one file for every partition, not one per partition's pipeline
        destination = dlt.destinations.duckdb(f"{pipeline_name}.duckdb")

    where: dict[str, Any] = {"pipelines_dir": pipelines_dir} if pipelines_dir is not None else {}

    def pipeline_for(advertiser_id: str) -> Any:
        return dlt.pipeline(
            f"{pipeline_name}_{advertiser_id}", destination=destination, dataset_name=dataset_name, **where
        )

    names_only = tiktok_ads(access_token=_TOKEN_NOT_READ_HERE, advertiser_ids=ids, **options)

    @dlt_assets(
        dlt_source=names_only,
        dlt_pipeline=pipeline_for(ids[0]),
        name=name,
        partitions_def=dg.StaticPartitionsDefinition(ids),
        dagster_dlt_translator=_StreamKeys(key_prefix),
        pool=pool,
    )
    def _assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        advertiser_id = context.partition_key
        source = tiktok_ads(
            advertiser_ids=[advertiser_id],
            concurrent_runs=concurrent_partitions,
            **options,
        )
        yield from dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline_for(advertiser_id))

    return _assets


__all__ = ["DagsterDltResource", "tiktok_ads_assets"]
