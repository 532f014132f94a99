"""`python -m tiktok_ads_mart`."""

from tiktok_ads_mart.cli import main

main()
