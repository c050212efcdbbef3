"""The sample company: a seeded, fictional B2B company worth auditing.

:func:`generate_sample` writes the nine tables of the data contract as UTF-8 CSVs, an
``engagement.yaml`` that :func:`kamaudit.load_engagement` accepts, a ``README.md`` that
describes the company, and ``answer_key.json``: the facts planted in the data that a
correct audit must find. :func:`generate_pack` writes N distinct companies for a seminar
group and keeps their answer keys apart from the data.

Everything is vectorised numpy driven by one ``numpy.random.Generator``: identical
arguments give identical bytes, and a million invoice lines take a few seconds.

>>> info = generate_sample("/tmp/nordwind")                      # doctest: +SKIP
>>> info.answer_key["facts"]["unprofitable_vip"]["customer_ids"]  # doctest: +SKIP

Planted facts (customer ids per fact are in ``answer_key.json``):

``top10_loss_makers``
    two customers in the top 10 by net revenue that lose money after cost-to-serve;
``unprofitable_vip``
    one customer the client flags "VIP" that loses money (outside the top 10);
``fast_growing_potential``
    four small customers whose last-year revenue is at least 2.5x the year before, with
    a large wallet and good assessments;
``single_contact_key_candidates``
    three highly profitable, strategically rated customers with a single contact person;
``very_late_payer``
    one customer paying on average 90+ days after the due date;
``must_be_key``
    the largest customer: highly profitable, many contacts, excellent assessments.

Around the facts the company looks like a real customer base: about 13% of customers are
new (first invoice in the last year, some only in its last months), about 10% are lost (no
invoice in the last year) and a few more fade early in it, a few buy only once or twice,
and a loss-making tail (small customers ordering often in tiny lots with rush orders,
returns and calls; small customers a salesperson visits regularly; mid-size customers with
deep discounts) gives Kaplan's whale curve: on the default sample the most profitable
customers earn about twice the total net profit. The largest and the planted customers
buy throughout the period.

The facts are calibrated with a plain activity-based costing (rate = annual cost x years
/ driver volume; financing = amount x days outstanding x 8% / 365) and hold with every
cost-pool rate moved by 25% either way.

Modules, in the order a company is made: ``profiles`` (industries) and ``names``;
``company`` builds the arrays from ``customers``, ``invoices`` and ``activities``;
``costing`` is the answer key's P&L; ``tables`` (with ``team``, ``contacts``,
``assessments``) makes the nine tables; ``answer_key``, ``readme`` and ``writing`` write
them; ``generate`` and ``pack`` are the entry points.
"""

from .costing import COST_OF_CAPITAL
from .generate import generate_sample
from .info import SampleError, SampleInfo
from .pack import generate_pack
from .profiles import INDUSTRIES

__all__ = [
    "COST_OF_CAPITAL",
    "INDUSTRIES",
    "SampleError",
    "SampleInfo",
    "generate_pack",
    "generate_sample",
]
