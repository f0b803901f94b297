"""Cities with their county (after the 2024 county reform), centre coordinates and postal codes.

`weight` is roughly the population in thousands, used to spread workshops like people are spread;
`spread_km` is how far from the centre workshops are scattered.
"""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    name: str
    county: str
    latitude: float
    longitude: float
    postal_codes: tuple[str, ...]
    weight: int
    spread_km: float
    districts: tuple[str, ...] = ()


COUNTIES: tuple[str, ...] = (
    "Oslo",
    "Akershus",
    "Østfold",
    "Buskerud",
    "Vestfold",
    "Telemark",
    "Agder",
    "Rogaland",
    "Vestland",
    "Møre og Romsdal",
    "Trøndelag",
    "Nordland",
    "Troms",
    "Finnmark",
    "Innlandet",
)


def _codes(*codes: int) -> tuple[str, ...]:
    return tuple(f"{code:04d}" for code in codes)


CITIES: tuple[City, ...] = (
    City(
        "Oslo",
        "Oslo",
        59.9139,
        10.7522,
        _codes(
            150,
            154,
            158,
            181,
            251,
            257,
            355,
            359,
            450,
            458,
            484,
            552,
            557,
            560,
            575,
            580,
            596,
            661,
            667,
            670,
            680,
            687,
            765,
            771,
            851,
            871,
            953,
            975,
            983,
            1051,
            1061,
            1081,
            1150,
            1161,
            1251,
            1266,
        ),
        700,
        6.0,
        (
            "Alna",
            "Bryn",
            "Grorud",
            "Økern",
            "Ensjø",
            "Skøyen",
            "Sagene",
            "Nydalen",
            "Furuset",
            "Mortensrud",
            "Stovner",
            "Bjerke",
            "Ullern",
            "Lambertseter",
            "Helsfyr",
        ),
    ),
    City(
        "Bergen",
        "Vestland",
        60.3913,
        5.3221,
        _codes(5003, 5006, 5011, 5015, 5031, 5052, 5063, 5089, 5097, 5132, 5141, 5152, 5221, 5232, 5251, 5259),
        290,
        5.0,
        ("Sentrum", "Åsane", "Fyllingsdalen", "Laksevåg", "Nesttun", "Kokstad", "Danmarksplass"),
    ),
    City(
        "Trondheim",
        "Trøndelag",
        63.4305,
        10.3951,
        _codes(7010, 7013, 7030, 7037, 7041, 7044, 7050, 7067, 7072, 7080, 7089, 7093),
        215,
        4.5,
        ("Sentrum", "Lade", "Sluppen", "Heimdal", "Tiller", "Moholt", "Ranheim"),
    ),
    City(
        "Stavanger",
        "Rogaland",
        58.9700,
        5.7331,
        _codes(4005, 4006, 4010, 4014, 4016, 4021, 4024, 4031, 4032, 4041, 4042, 4045),
        150,
        3.5,
        ("Sentrum", "Forus", "Madla", "Hinna", "Tasta", "Hillevåg"),
    ),
    City("Sandnes", "Rogaland", 58.8524, 5.7352, _codes(4306, 4307, 4313, 4318, 4322, 4326), 85, 3.0),
    City(
        "Kristiansand",
        "Agder",
        58.1467,
        7.9956,
        _codes(4608, 4610, 4614, 4621, 4626, 4630, 4633, 4635, 4639),
        115,
        4.0,
        ("Sentrum", "Sørlandsparken", "Vågsbygd", "Lund"),
    ),
    City(
        "Tromsø", "Troms", 69.6492, 18.9553, _codes(9008, 9009, 9011, 9012, 9014, 9015, 9016, 9019, 9020, 9024), 78, 3.0
    ),
    City(
        "Drammen", "Buskerud", 59.7439, 10.2045, _codes(3015, 3017, 3019, 3022, 3024, 3036, 3040, 3044, 3045), 103, 3.5
    ),
    City(
        "Fredrikstad",
        "Østfold",
        59.2181,
        10.9298,
        _codes(1604, 1605, 1606, 1607, 1608, 1614, 1617, 1618, 1621, 1626),
        85,
        3.5,
    ),
    City("Sarpsborg", "Østfold", 59.2839, 11.1096, _codes(1706, 1708, 1710, 1711, 1714, 1718, 1722), 58, 3.0),
    City("Moss", "Østfold", 59.4340, 10.6577, _codes(1530, 1531, 1532, 1534, 1536, 1540), 50, 2.5),
    City("Halden", "Østfold", 59.1243, 11.3875, _codes(1767, 1771, 1776, 1778, 1781), 31, 2.0),
    City("Bodø", "Nordland", 67.2804, 14.4049, _codes(8003, 8005, 8006, 8008, 8009, 8011, 8013, 8015), 53, 2.5),
    City(
        "Ålesund",
        "Møre og Romsdal",
        62.4722,
        6.1495,
        _codes(6002, 6003, 6004, 6005, 6008, 6009, 6010, 6012, 6015, 6017),
        67,
        3.0,
    ),
    City("Molde", "Møre og Romsdal", 62.7375, 7.1591, _codes(6411, 6412, 6413, 6415, 6416, 6419), 32, 2.0),
    City("Kristiansund", "Møre og Romsdal", 63.1105, 7.7279, _codes(6508, 6509, 6510, 6511, 6514, 6515), 24, 1.5),
    City("Hamar", "Innlandet", 60.7945, 11.0680, _codes(2315, 2316, 2317, 2318, 2319, 2320, 2321, 2322), 32, 2.5),
    City("Lillehammer", "Innlandet", 61.1153, 10.4662, _codes(2609, 2614, 2615, 2618, 2619, 2624, 2625), 29, 2.0),
    City("Gjøvik", "Innlandet", 60.7957, 10.6915, _codes(2815, 2816, 2817, 2818, 2819, 2821, 2822), 31, 2.0),
    City("Elverum", "Innlandet", 60.8819, 11.5623, _codes(2406, 2407, 2408, 2409, 2410, 2414), 21, 2.0),
    City("Kongsvinger", "Innlandet", 60.1905, 11.9977, _codes(2211, 2212, 2213, 2214, 2219), 18, 1.5),
    City("Tønsberg", "Vestfold", 59.2674, 10.4076, _codes(3110, 3111, 3112, 3114, 3115, 3116, 3117, 3118), 58, 2.5),
    City("Sandefjord", "Vestfold", 59.1313, 10.2166, _codes(3210, 3211, 3212, 3213, 3214, 3215, 3216, 3218), 65, 2.5),
    City("Larvik", "Vestfold", 59.0533, 10.0352, _codes(3256, 3257, 3258, 3259, 3260, 3262, 3263, 3264), 48, 2.5),
    City("Horten", "Vestfold", 59.4172, 10.4833, _codes(3181, 3183, 3184, 3185, 3187), 28, 1.5),
    City("Skien", "Telemark", 59.2096, 9.6090, _codes(3715, 3716, 3717, 3718, 3719, 3722, 3724, 3729, 3732), 56, 2.5),
    City(
        "Porsgrunn",
        "Telemark",
        59.1405,
        9.6561,
        _codes(3910, 3911, 3912, 3913, 3914, 3915, 3916, 3917, 3918, 3919),
        37,
        2.0,
    ),
    City("Notodden", "Telemark", 59.5594, 9.2585, _codes(3674, 3675, 3676, 3677, 3678, 3679), 13, 1.5),
    City(
        "Arendal",
        "Agder",
        58.4615,
        8.7725,
        _codes(4808, 4809, 4810, 4812, 4814, 4815, 4816, 4817, 4818, 4821, 4836, 4838),
        46,
        2.5,
    ),
    City("Grimstad", "Agder", 58.3405, 8.5934, _codes(4876, 4877, 4878, 4879, 4885, 4886, 4887), 24, 1.5),
    City("Mandal", "Agder", 58.0294, 7.4609, _codes(4513, 4514, 4515, 4516, 4517), 16, 1.5),
    City(
        "Haugesund",
        "Rogaland",
        59.4138,
        5.2680,
        _codes(5511, 5515, 5516, 5517, 5518, 5519, 5521, 5523, 5525, 5527),
        38,
        2.5,
    ),
    City("Egersund", "Rogaland", 58.4515, 5.9998, _codes(4370, 4371, 4372, 4373, 4374), 15, 1.5),
    City("Førde", "Vestland", 61.4521, 5.8572, _codes(6800, 6801, 6803, 6804, 6805, 6806, 6807), 13, 1.5),
    City("Voss", "Vestland", 60.6280, 6.4150, _codes(5700, 5701, 5702, 5703, 5704), 16, 1.5),
    City("Stord", "Vestland", 59.7792, 5.5007, _codes(5410, 5411, 5412, 5414, 5416), 19, 1.5),
    City("Steinkjer", "Trøndelag", 64.0149, 11.4954, _codes(7710, 7711, 7712, 7713, 7714, 7715), 24, 1.5),
    City("Levanger", "Trøndelag", 63.7464, 11.2994, _codes(7600, 7601, 7603, 7604, 7605), 20, 1.5),
    City(
        "Stjørdal", "Trøndelag", 63.4707, 10.9171, _codes(7500, 7501, 7502, 7503, 7504, 7505, 7506, 7507, 7508), 25, 1.5
    ),
    City("Namsos", "Trøndelag", 64.4662, 11.4958, _codes(7800, 7801, 7802, 7803, 7804), 15, 1.5),
    City(
        "Narvik",
        "Nordland",
        68.4385,
        17.4272,
        _codes(8502, 8503, 8504, 8505, 8506, 8507, 8508, 8509, 8514, 8516, 8517),
        22,
        1.5,
    ),
    City(
        "Mo i Rana", "Nordland", 66.3128, 14.1428, _codes(8610, 8611, 8613, 8614, 8615, 8616, 8617, 8618, 8622), 26, 2.0
    ),
    City("Mosjøen", "Nordland", 65.8366, 13.1907, _codes(8656, 8657, 8658, 8659, 8660, 8661, 8663, 8665), 13, 1.5),
    City(
        "Harstad",
        "Troms",
        68.7983,
        16.5417,
        _codes(9401, 9402, 9403, 9404, 9405, 9406, 9407, 9408, 9409, 9411, 9414, 9415),
        25,
        2.0,
    ),
    City("Finnsnes", "Troms", 69.2296, 17.9811, _codes(9300, 9302, 9303, 9304, 9305, 9306), 12, 1.2),
    City(
        "Alta",
        "Finnmark",
        69.9689,
        23.2716,
        _codes(9508, 9509, 9510, 9511, 9512, 9513, 9514, 9515, 9516, 9517, 9518, 9519),
        21,
        2.5,
    ),
    City("Hammerfest", "Finnmark", 70.6634, 23.6821, _codes(9600, 9601, 9602, 9603, 9609, 9610, 9613, 9615), 11, 1.2),
    City("Kirkenes", "Finnmark", 69.7271, 30.0450, _codes(9900, 9910, 9912, 9914, 9915), 10, 1.2),
    City("Vadsø", "Finnmark", 70.0744, 29.7487, _codes(9800, 9810, 9811, 9815), 6, 1.0),
    City(
        "Lillestrøm",
        "Akershus",
        59.9560,
        11.0504,
        _codes(2000, 2001, 2004, 2007, 2008, 2010, 2011, 2013, 2015),
        90,
        3.0,
    ),
    City(
        "Sandvika",
        "Akershus",
        59.8891,
        10.5227,
        _codes(1300, 1301, 1302, 1303, 1304, 1305, 1306, 1307, 1309, 1337, 1338),
        130,
        3.5,
    ),
    City(
        "Asker",
        "Akershus",
        59.8331,
        10.4392,
        _codes(1371, 1372, 1373, 1375, 1380, 1383, 1384, 1385, 1386, 1387, 1388, 1389),
        96,
        3.0,
    ),
    City("Ski", "Akershus", 59.7196, 10.8355, _codes(1400, 1401, 1402, 1403, 1404, 1405, 1406, 1407, 1408), 61, 2.5),
    City(
        "Jessheim", "Akershus", 60.1414, 11.1750, _codes(2050, 2051, 2052, 2053, 2054, 2055, 2056, 2057, 2058), 42, 2.5
    ),
    City(
        "Lørenskog", "Akershus", 59.9275, 10.9530, _codes(1470, 1471, 1472, 1473, 1474, 1475, 1476, 1477, 1478), 47, 2.0
    ),
    City(
        "Kongsberg",
        "Buskerud",
        59.6686,
        9.6502,
        _codes(3601, 3602, 3603, 3608, 3611, 3612, 3613, 3614, 3615, 3616, 3617, 3618),
        28,
        2.0,
    ),
    City(
        "Hønefoss",
        "Buskerud",
        60.1680,
        10.2565,
        _codes(3510, 3511, 3512, 3513, 3514, 3515, 3516, 3517, 3518, 3519),
        31,
        2.0,
    ),
)

CITY_BY_NAME: dict[str, City] = {city.name: city for city in CITIES}

# streets found in most Norwegian towns, and a few well-known workshop streets per large city
COMMON_STREETS: tuple[str, ...] = (
    "Storgata",
    "Industriveien",
    "Industrigata",
    "Kongens gate",
    "Strandveien",
    "Kirkegata",
    "Jernbanegata",
    "Havnegata",
    "Verkstedveien",
    "Næringsveien",
    "Elvegata",
    "Torggata",
    "Skolegata",
    "Parkveien",
    "Nygata",
    "Dronningens gate",
    "Grenseveien",
    "Bjørkeveien",
    "Furuveien",
    "Granveien",
    "Sandveien",
    "Møllevegen",
    "Fabrikkveien",
    "Lagerveien",
    "Bilveien",
    "Brugata",
    "Fjordveien",
    "Stasjonsveien",
    "Smievegen",
    "Energiveien",
)

CITY_STREETS: dict[str, tuple[str, ...]] = {
    "Oslo": (
        "Økernveien",
        "Ensjøveien",
        "Alnabruveien",
        "Brobekkveien",
        "Kabelgata",
        "Østre Aker vei",
        "Trondheimsveien",
        "Drammensveien",
        "Grenseveien",
        "Ulvenveien",
        "Haslevangen",
        "Nydalsveien",
    ),
    "Bergen": ("Kanalveien", "Fjøsangerveien", "Kokstadvegen", "Åsane senter", "Liamyrene", "Sandalsringen"),
    "Trondheim": ("Sluppenvegen", "Tungasletta", "Haakon VIIs gate", "Ingvald Ystgaards veg", "Heimdalsvegen"),
    "Stavanger": ("Forusbeen", "Hillevågsveien", "Madlaveien", "Lagårdsveien", "Auglendsdalen"),
}


# price level by county, relative to the national average
PRICE_FACTOR: dict[str, float] = {
    "Oslo": 1.12,
    "Akershus": 1.07,
    "Rogaland": 1.05,
    "Vestland": 1.03,
    "Trøndelag": 1.0,
    "Buskerud": 1.0,
    "Vestfold": 0.98,
    "Østfold": 0.96,
    "Agder": 0.97,
    "Telemark": 0.95,
    "Innlandet": 0.94,
    "Møre og Romsdal": 0.98,
    "Nordland": 0.99,
    "Troms": 1.02,
    "Finnmark": 1.0,
}

# the first digits of landline numbers by county
PHONE_PREFIX: dict[str, tuple[str, ...]] = {
    "Oslo": ("22", "23", "21"),
    "Akershus": ("67", "63", "64", "66"),
    "Østfold": ("69",),
    "Buskerud": ("32",),
    "Vestfold": ("33",),
    "Telemark": ("35",),
    "Agder": ("37", "38"),
    "Rogaland": ("51", "52"),
    "Vestland": ("55", "56", "57"),
    "Møre og Romsdal": ("70", "71"),
    "Trøndelag": ("72", "73", "74"),
    "Innlandet": ("61", "62"),
    "Nordland": ("75", "76"),
    "Troms": ("77",),
    "Finnmark": ("78",),
}
