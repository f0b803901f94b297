"""Workshop categories, the service category tree with the services workshops offer, car brands, names."""

from __future__ import annotations

from typing import NamedTuple


class WorkshopCategorySeed(NamedTuple):
    slug: str
    name: str
    description: str
    icon: str


WORKSHOP_CATEGORIES: tuple[WorkshopCategorySeed, ...] = (
    WorkshopCategorySeed(
        "bilverksted", "Bilverksted", "Service, reparasjon og feilsøking på alle bilmerker.", "wrench"
    ),
    WorkshopCategorySeed("dekkverksted", "Dekkverksted", "Dekkskift, dekkhotell, balansering og hjulstilling.", "tire"),
    WorkshopCategorySeed(
        "karosseri-og-lakk", "Karosseri og lakk", "Bulker, rust, skadereparasjon og lakkering.", "spray-can"
    ),
    WorkshopCategorySeed("bilglass", "Bilglass", "Reparasjon av steinsprut og bytte av frontrute.", "windshield"),
    WorkshopCategorySeed(
        "elbilverksted", "Elbilverksted", "Godkjent for høyvoltsystemer: batteri, lading og varmepumpe.", "bolt"
    ),
    WorkshopCategorySeed(
        "eu-kontroll", "EU-kontroll/PKK", "Periodisk kjøretøykontroll for personbiler og varebiler.", "clipboard-check"
    ),
    WorkshopCategorySeed("bilpleie", "Bilpleie", "Vask, rens, polering og lakkbeskyttelse.", "sparkles"),
)


class ServiceTemplate(NamedTuple):
    """A service a workshop in the category offers; prices in NOK, hours as estimated work time."""

    title: str
    description: str
    price_min: int
    price_max: int
    hours_min: float
    hours_max: float
    walk_in: float  # share of workshops that take it without an appointment


class LeafSeed(NamedTuple):
    slug: str
    name: str
    description: str
    services: tuple[ServiceTemplate, ...]


class RootSeed(NamedTuple):
    slug: str
    name: str
    description: str
    workshop_category: str  # slug of the workshop category the branch belongs to
    children: tuple[LeafSeed, ...]


S = ServiceTemplate

SERVICE_TREE: tuple[RootSeed, ...] = (
    RootSeed(
        "eu-kontroll",
        "EU-kontroll",
        "Periodisk kjøretøykontroll (PKK).",
        "eu-kontroll",
        (
            LeafSeed(
                "eu-kontroll-personbil",
                "EU-kontroll personbil",
                "Lovpålagt kontroll hvert andre år.",
                (
                    S(
                        "EU-kontroll",
                        "Periodisk kjøretøykontroll for personbil etter Statens vegvesens krav.",
                        890,
                        1290,
                        0.75,
                        1.0,
                        0.25,
                    ),
                ),
            ),
            LeafSeed(
                "etterkontroll",
                "Etterkontroll",
                "Ny kontroll etter utbedrede mangler.",
                (S("Etterkontroll EU", "Etterkontroll av mangler funnet ved EU-kontroll.", 390, 690, 0.5, 0.5, 0.4),),
            ),
        ),
    ),
    RootSeed(
        "service",
        "Service",
        "Periodisk service etter produsentens serviceprogram.",
        "bilverksted",
        (
            LeafSeed(
                "stor-service",
                "Stor service",
                "Full service med filterbytte og kontroll.",
                (
                    S(
                        "Stor service",
                        "Service etter produsentens program: olje, alle filtre, tennplugger og 60-punktskontroll.",
                        4490,
                        7990,
                        3.0,
                        5.0,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "liten-service",
                "Liten service",
                "Olje, oljefilter og sikkerhetssjekk.",
                (
                    S(
                        "Liten service",
                        "Motorolje, oljefilter, kontroll av bremser, lys og væsker.",
                        2190,
                        3490,
                        1.5,
                        2.0,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "oljeskift",
                "Oljeskift",
                "Bytte av motorolje og oljefilter.",
                (
                    S(
                        "Oljeskift",
                        "Bytte av motorolje og oljefilter, inkludert olje etter spesifikasjon.",
                        990,
                        1690,
                        0.5,
                        0.75,
                        0.6,
                    ),
                ),
            ),
            LeafSeed(
                "aircondition",
                "Aircondition",
                "Service og påfylling av klimaanlegg.",
                (
                    S(
                        "AC-service",
                        "Tømming, vakuumtest og påfylling av kuldemedium, kontroll av kupéfilter.",
                        1190,
                        1990,
                        1.0,
                        1.0,
                        0.2,
                    ),
                ),
            ),
        ),
    ),
    RootSeed(
        "dekk",
        "Dekk",
        "Alt om dekk og hjul.",
        "dekkverksted",
        (
            LeafSeed(
                "dekkskift",
                "Dekkskift",
                "Skift mellom sommer- og vinterhjul.",
                (
                    S(
                        "Dekkskift",
                        "Skift av fire hjul på felg, kontroll av lufttrykk og mønsterdybde.",
                        450,
                        790,
                        0.5,
                        0.5,
                        0.7,
                    ),
                    S(
                        "Dekkomlegging",
                        "Omlegging av fire dekk på felg med ventiler og balansering.",
                        1190,
                        1790,
                        1.0,
                        1.0,
                        0.2,
                    ),
                ),
            ),
            LeafSeed(
                "dekkhotell",
                "Dekkhotell",
                "Lagring av hjul mellom sesongene.",
                (
                    S(
                        "Dekkhotell",
                        "Vask og lagring av fire hjul for én sesong, inkludert tilstandsrapport.",
                        890,
                        1490,
                        0.25,
                        0.25,
                        0.3,
                    ),
                ),
            ),
            LeafSeed(
                "balansering",
                "Balansering",
                "Avbalansering av hjul.",
                (S("Balansering", "Avbalansering av fire hjul.", 490, 890, 0.5, 0.75, 0.5),),
            ),
            LeafSeed(
                "hjulstilling",
                "Hjulstilling",
                "Måling og justering av hjulvinkler.",
                (S("Hjulstilling", "3D-måling og justering av spissing og camber.", 1190, 1990, 1.0, 1.5, 0.1),),
            ),
        ),
    ),
    RootSeed(
        "bremser",
        "Bremser",
        "Reparasjon og kontroll av bremsesystemet.",
        "bilverksted",
        (
            LeafSeed(
                "bremseklosser",
                "Bremseklosser",
                "Bytte av bremseklosser.",
                (
                    S(
                        "Bytte bremseklosser foran",
                        "Nye bremseklosser på forakselen, inkludert deler og bremsetest.",
                        1690,
                        2990,
                        1.0,
                        1.5,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "bremseskiver",
                "Bremseskiver",
                "Bytte av bremseskiver og klosser.",
                (
                    S(
                        "Bytte bremseskiver og klosser",
                        "Nye skiver og klosser på én aksel, inkludert deler.",
                        3490,
                        5990,
                        1.5,
                        2.5,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "bremsevaeske",
                "Bremsevæske",
                "Skift av bremsevæske.",
                (
                    S(
                        "Skift bremsevæske",
                        "Tapping og utskifting av bremsevæske, lufting av systemet.",
                        790,
                        1290,
                        0.75,
                        1.0,
                        0.1,
                    ),
                ),
            ),
        ),
    ),
    RootSeed(
        "karosseri",
        "Karosseri",
        "Utbedring av skader på karosseriet.",
        "karosseri-og-lakk",
        (
            LeafSeed(
                "bulkretting",
                "Bulkretting",
                "Retting av bulker, også uten lakkering.",
                (
                    S(
                        "Bulkretting (PDR)",
                        "Lakkfri retting av mindre bulker og parkeringsskader.",
                        1490,
                        3990,
                        1.0,
                        3.0,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "rustreparasjon",
                "Rustreparasjon",
                "Fjerning av rust og sveising.",
                (
                    S(
                        "Rustreparasjon",
                        "Utbedring av rustskade med sveising og rustbeskyttelse, pris fra.",
                        3990,
                        12990,
                        4.0,
                        10.0,
                        0.0,
                    ),
                ),
            ),
        ),
    ),
    RootSeed(
        "lakk",
        "Lakk",
        "Lakkreparasjon og lakkering.",
        "karosseri-og-lakk",
        (
            LeafSeed(
                "lakkskade",
                "Lakkskade",
                "Reparasjon av riper og lakkskader.",
                (
                    S(
                        "Lakkreparasjon per del",
                        "Sliping, grunning og lakkering av én karosseridel.",
                        3490,
                        6990,
                        4.0,
                        8.0,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "helomlakkering",
                "Helomlakkering",
                "Lakkering av hele bilen.",
                (
                    S(
                        "Helomlakkering",
                        "Lakkering av hele bilen i original farge, pris fra.",
                        39900,
                        79900,
                        30.0,
                        60.0,
                        0.0,
                    ),
                ),
            ),
        ),
    ),
    RootSeed(
        "glass",
        "Glass",
        "Reparasjon og bytte av bilglass.",
        "bilglass",
        (
            LeafSeed(
                "steinsprut",
                "Steinsprut",
                "Reparasjon av steinsprut i frontruten.",
                (
                    S(
                        "Steinsprutreparasjon",
                        "Reparasjon av steinsprut; ofte uten egenandel hos forsikringsselskapet.",
                        390,
                        790,
                        0.5,
                        0.5,
                        0.8,
                    ),
                ),
            ),
            LeafSeed(
                "frontrute",
                "Frontrute",
                "Bytte av frontrute.",
                (
                    S(
                        "Bytte frontrute",
                        "Ny frontrute inkludert montering og kalibrering av kamera.",
                        6990,
                        14990,
                        2.0,
                        3.0,
                        0.0,
                    ),
                ),
            ),
        ),
    ),
    RootSeed(
        "elbil",
        "Elbil",
        "Service og reparasjon av elbiler.",
        "elbilverksted",
        (
            LeafSeed(
                "batteritest",
                "Batteritest",
                "Måling av batteriets helsetilstand (SoH).",
                (
                    S(
                        "Batteritest elbil",
                        "Test av høyvoltbatteriets helsetilstand med sertifikat.",
                        990,
                        1990,
                        1.0,
                        1.0,
                        0.2,
                    ),
                ),
            ),
            LeafSeed(
                "varmepumpe",
                "Varmepumpe",
                "Service på varmepumpe og klimaanlegg i elbil.",
                (
                    S(
                        "Service varmepumpe",
                        "Kontroll og påfylling av varmepumpe og klimaanlegg.",
                        1490,
                        2490,
                        1.0,
                        1.5,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "elbil-service",
                "Elbilservice",
                "Årlig service på elbil.",
                (
                    S(
                        "Elbilservice",
                        "Service etter produsentens program: bremser, kupéfilter, kjølevæske og oppdatering.",
                        2490,
                        4490,
                        1.5,
                        2.5,
                        0.0,
                    ),
                ),
            ),
            LeafSeed(
                "ladeport",
                "Ladeport og lading",
                "Feilsøking på lading og ladeport.",
                (
                    S(
                        "Feilsøking lading",
                        "Feilsøking av ladeport, ombordlader og ladekabel.",
                        990,
                        1790,
                        1.0,
                        1.0,
                        0.1,
                    ),
                ),
            ),
        ),
    ),
    RootSeed(
        "bilpleie",
        "Bilpleie",
        "Vask, rens og lakkpleie.",
        "bilpleie",
        (
            LeafSeed(
                "utvendig-vask",
                "Utvendig vask",
                "Håndvask og voks.",
                (S("Håndvask og voks", "Utvendig håndvask, felgvask og voks.", 490, 990, 1.0, 1.5, 0.6),),
            ),
            LeafSeed(
                "innvendig-rens",
                "Innvendig rens",
                "Støvsuging og rens av seter.",
                (S("Innvendig rens", "Støvsuging, tekstilrens av seter og vask av flater.", 990, 1990, 2.0, 3.0, 0.2),),
            ),
            LeafSeed(
                "polering",
                "Polering",
                "Polering og lakkforsegling.",
                (
                    S(
                        "Polering og lakkforsegling",
                        "Maskinpolering i to trinn og keramisk forsegling.",
                        3990,
                        8990,
                        5.0,
                        8.0,
                        0.0,
                    ),
                ),
            ),
        ),
    ),
    RootSeed(
        "reparasjon",
        "Reparasjon",
        "Feilsøking og reparasjon.",
        "bilverksted",
        (
            LeafSeed(
                "feilsoking",
                "Feilsøking",
                "Diagnose med tester og feilkodelesing.",
                (
                    S(
                        "Feilsøking og diagnose",
                        "Lesing av feilkoder og feilsøking, første time.",
                        890,
                        1390,
                        1.0,
                        1.0,
                        0.3,
                    ),
                ),
            ),
            LeafSeed(
                "clutch",
                "Clutch",
                "Bytte av clutch.",
                (S("Bytte clutch", "Ny clutch med trykklager, pris fra.", 8990, 15990, 5.0, 8.0, 0.0),),
            ),
            LeafSeed(
                "registerreim",
                "Registerreim",
                "Bytte av registerreim og vannpumpe.",
                (
                    S(
                        "Bytte registerreim",
                        "Registerreim, strammer og vannpumpe etter produsentens intervall.",
                        5990,
                        11990,
                        3.0,
                        6.0,
                        0.0,
                    ),
                ),
            ),
        ),
    ),
)

# brands common on Norwegian roads (registrations and the car park), with their logo URL
CAR_BRANDS: tuple[str, ...] = (
    "Tesla",
    "Volkswagen",
    "Toyota",
    "Volvo",
    "BMW",
    "Audi",
    "Hyundai",
    "Kia",
    "Nissan",
    "Skoda",
    "Mercedes-Benz",
    "Ford",
    "Peugeot",
    "Polestar",
    "BYD",
    "MG",
    "Mazda",
    "Subaru",
    "Renault",
    "Citroën",
    "Opel",
    "Mitsubishi",
    "Suzuki",
    "Honda",
    "Lexus",
    "Porsche",
    "Jaguar",
    "Land Rover",
    "Mini",
    "Fiat",
    "Jeep",
    "Dacia",
    "Cupra",
    "Seat",
    "Xpeng",
    "NIO",
    "Smart",
    "Genesis",
    "DS Automobiles",
    "Maxus",
    "Lynk & Co",
    "Zeekr",
    "Alfa Romeo",
    "Chevrolet",
)

SURNAMES: tuple[str, ...] = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Henriksen",
    "Lund",
    "Halvorsen",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Lunde",
    "Solheim",
    "Berge",
    "Moe",
    "Nygård",
    "Bakke",
    "Holm",
    "Lien",
    "Hauge",
    "Sæther",
    "Aas",
    "Myhre",
    "Haugland",
    "Ali",
    "Ahmed",
    "Nowak",
    "Engen",
)

FIRST_NAMES: tuple[str, ...] = (
    "Ole",
    "Lars",
    "Jan",
    "Per",
    "Bjørn",
    "Kjetil",
    "Erik",
    "Anders",
    "Thomas",
    "Morten",
    "Espen",
    "Geir",
    "Martin",
    "Jonas",
    "Mohammed",
    "Piotr",
    "Andreas",
    "Stian",
    "Tor",
    "Håkon",
    "Kari",
    "Anne",
    "Ingrid",
    "Silje",
    "Hilde",
    "Marte",
    "Nina",
    "Ida",
    "Camilla",
    "Line",
    "Sara",
    "Nora",
)

# name patterns by the workshop's main category; {city}, {surname}, {district} are filled in
NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "bilverksted": (
        "Bilservice {city} AS",
        "Mekka {city}",
        "{city} Bilverksted AS",
        "{surname}s Bilverksted",
        "{surname} Bil AS",
        "{surname} Auto",
        "{district} Bilsenter",
        "{city} Motor AS",
        "{surname} & Sønn Bilverksted",
        "Verkstedet {district}",
        "{district} Auto AS",
        "Bilfiksern {city}",
    ),
    "dekkverksted": (
        "Dekkhotellet {city}",
        "{city} Dekk og Felg AS",
        "{surname} Dekkservice",
        "Dekkmester {district}",
        "{district} Dekk AS",
    ),
    "karosseri-og-lakk": (
        "{city} Karosseri & Lakk AS",
        "{surname} Bilskade",
        "Lakkmester {district}",
        "{district} Bilskadesenter",
    ),
    "bilglass": ("Bilglass {city}", "{city} Bilrute AS", "Glassmester {surname} Bilglass", "{district} Bilglass"),
    "elbilverksted": (
        "{city} Elbilsenter",
        "Elbilverkstedet {district}",
        "{surname} EV Service AS",
        "Strøm Bilservice {city}",
    ),
    "eu-kontroll": ("{city} EU-kontroll AS", "PKK-senteret {district}", "{surname} Kontrollsenter"),
    "bilpleie": ("{city} Bilpleie", "Glans Bilpleie {district}", "{surname} Bilvask & Pleie"),
}

# how often each category is the workshop's main one
MAIN_CATEGORY_WEIGHTS: dict[str, int] = {
    "bilverksted": 50,
    "dekkverksted": 16,
    "karosseri-og-lakk": 11,
    "bilglass": 6,
    "elbilverksted": 7,
    "eu-kontroll": 5,
    "bilpleie": 5,
}

# categories a workshop often has beside its main one
EXTRA_CATEGORIES: dict[str, tuple[str, ...]] = {
    "bilverksted": ("eu-kontroll", "dekkverksted", "elbilverksted", "bilglass"),
    "dekkverksted": ("bilverksted", "bilpleie"),
    "karosseri-og-lakk": ("bilglass", "bilpleie"),
    "bilglass": ("karosseri-og-lakk",),
    "elbilverksted": ("dekkverksted", "eu-kontroll"),
    "eu-kontroll": ("bilverksted",),
    "bilpleie": ("dekkverksted",),
}

DESCRIPTION_OPENERS: tuple[str, ...] = (
    "{name} er et lokalt {category} i {city} med {years} års erfaring.",
    "Velkommen til {name}! Vi har holdt bilene i {city} i gang i {years} år.",
    "{name} er et {category} midt i {district}, {city}.",
    "Hos {name} får du faste priser og ærlige råd, og vi har holdt på i {years} år.",
)
DESCRIPTION_CLOSERS: tuple[str, ...] = (
    "Vi tar imot alle bilmerker.",
    "Vi er godkjent for arbeid på elbiler og hybrider.",
    "Gratis lånebil ved større jobber, så langt det er ledig.",
    "Vi sender bilder og pris før vi gjør ekstra arbeid.",
    "Kaffe og wifi mens du venter.",
    "Medlem av Bilbransjeforbundet.",
)
