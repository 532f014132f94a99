"""`python -m tiktok_ads_mart.cli`."""

from tiktok_ads_mart.cli import main

main()
