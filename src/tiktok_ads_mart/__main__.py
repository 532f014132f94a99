"""`python -m tiktok_ads_mart`."""

from tiktok_ads_mart.entry import main

main()
