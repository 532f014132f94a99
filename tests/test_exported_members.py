import tiktok_ads_mart


def test_all_is_sorted_and_resolvable() -> None:
    names = tiktok_ads_mart.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(tiktok_ads_mart, name), name
