"""The convergence claims of the literature, one module per source.

Each module holds the claims of one source in ``CLAIMS``; `all_claims` gathers them for
``refopt verify`` and the registry. ``families`` holds the problem classes they are checked on.
"""
import importlib

MODULES = (
    "drori_teboulle_2014",
    "nesterov_2004",
    "beck_teboulle_2009",
    "polyak_1964",
    "lessard_recht_packard_2016",
    "polyak_1987",
    "garrigos_gower_2023",
    "gower_et_al_2019",
    "bottou_curtis_nocedal_2018",
    "xu_shen_chi_ma_2023",
    "ma_fattahi_2023",
    "jain_netrapalli_sanghavi_2013",
    "gu_song_yin_zhang_2024",
    "ben_arous_gheissari_jagannath_2021",
    "richard_montanari_2014",
    "grazzi_et_al_2020",
    "liu_mu_yuan_zeng_zhang_2020",
    "kwon_kwon_wright_nowak_2023",
    "kwon_kwon_wright_nowak_2024",
    "liu_liu_yao_zeng_zhang_2023",
    "yao_yu_zeng_zhang_2024",
    "hao_gong_liu_2024",
    "liu_liu_yao_zeng_zhang_2024",
)


def all_claims():
    """Every claim of every module, in the order of `MODULES`."""
    claims = []
    for name in MODULES:
        claims.extend(importlib.import_module(f"{__name__}.{name}").CLAIMS)
    return claims
