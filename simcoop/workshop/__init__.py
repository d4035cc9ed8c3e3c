"""Outputs for policy workshops: scenario comparison (`comparison`), the Dutch or English
report (`report`), the municipality lookup (`lookup`) and the solara dashboard
(`dashboard`, with its Vue templates in `vue/`)."""
