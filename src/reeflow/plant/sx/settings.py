"""Typed SX design settings a project file may set (``plant.separation.sx``), with bounds.

:class:`SXDesign` is a :class:`reeflow.core.projectfile.StrictModel`: misspelt keys are errors,
every number is parsed with its unit (``Q``) and checked against a plausible lower and upper
bound. The bounds are data (``data/sx/design_defaults.yaml`` ``bounds``, each with its source);
the few that are properties of the extractant chemistry are documented on the field.
:meth:`SXDesign.to_conditions` turns the settings into :class:`DesignConditions` for an
extractant and :meth:`SXDesign.train_kwargs` into keyword arguments of ``design_train``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from reeflow.core.errors import InputError, did_you_mean
from reeflow.core.projectfile import Q, StrictModel, Unit, validate_tree
from reeflow.plant.sx.conditions import DesignConditions, conditions_for_extractant
from reeflow.plant.sx.data import EXTRACTANTS, design_record, extractant

__all__ = ["SXDesign", "parse_sx_design", "check_keys", "field_unit", "check_symbols",
           "neighbour_gaps", "check_spec_per_product", "check_product_names",
           "too_few_groups", "check_key_factors", "at_file_key", "in_project_file",
           "ordered_groups",
           "key_pairs"]


def _b(key: str, i: int) -> float:
    return float(design_record(key)["bounds"][i])


def check_keys(mapping: Mapping[str, Any], allowed: list[str] | tuple[str, ...],
               prefix: str, what: str = "a known setting name") -> None:
    """InputError for the first key not in ``allowed``, with a "did you mean" hint."""
    for key in mapping:
        if key not in allowed:  # the key is what is wrong, not its value (fuzz round 15)
            raise InputError(f"{prefix}{key}", str(key), what,
                             did_you_mean(str(key), [str(a) for a in allowed]))


def check_symbols(groups: Mapping[Any, Any] | Sequence[Any], known: Sequence[str], path: str,
                  what: str) -> None:
    """Every element a product group names is one of ``known``; the first that is not is an
    InputError naming ``path.<product>``. One check for the project file (``known`` = the
    REE) and for ``design_train`` (the extractant's order), where 'Xx' was once dropped from
    its group as if not fed (fuzz round 21)."""
    items = groups.items() if isinstance(groups, Mapping) else enumerate(groups)
    for key, group in items:
        for e in ([group] if isinstance(group, str) else group
                  if isinstance(group, Sequence) else []):
            if e not in known:
                raise InputError(f"{path}.{key}", e, f"{what} ({', '.join(known)})",
                                 did_you_mean(str(e), known, fallback=False)
                                 or "write each element's symbol, e.g. Nd")


def at_file_key(exc: InputError, *, prefix: str, heads: Iterable[str],
                purity_key: str = "product_purity", value: Any = None) -> InputError:
    """An SX room's error re-rooted at the key a file wrote: a field under one of ``heads``
    gets ``prefix`` (``plant.separation.`` in a project file, ``""`` in a train file), the
    room's ``purity`` the file's ``purity_key`` and ``purity_basis`` the file's
    ``product_purity_basis``; ``value`` (if given) replaces the echoed value. Other errors
    as they are. One renaming for ``validate``, the study and ``sx train`` (each had its
    own, the last read of stop 35)."""
    field = str(exc.field)
    head, dot, rest = field.partition(".")
    if head == "purity":
        name = prefix + purity_key
    elif head == "purity_basis":
        name = prefix + "product_purity_basis"
    elif head in heads:
        name = prefix + head
    else:
        return exc
    if name + dot + rest == field and value is None:
        return exc
    return type(exc)(name + dot + rest, exc.value if value is None else value, exc.allowed,
                     exc.fix)


def in_project_file(exc: InputError, *, products: Any = None) -> InputError:
    """An SX room's error on ``products``, ``separation_factors``, ``purity`` or
    ``purity_basis`` at the project file's path (``plant.separation.…``, the purity's as
    ``product_purity``); other errors as they are. One mapping for ``validate`` and
    the study's SX design (the study named a missing factor ``separation_factors``).
    ``products``: the project's groups as written, echoed for an error on the whole of
    ``products`` (the room saw the groups cut to the fed elements)."""
    whole = products if str(exc.field) == "products" else None
    return at_file_key(exc, prefix="plant.separation.",
                       heads=("products", "separation_factors"), value=whole)


def ordered_groups(named: Iterable[tuple[Any, Sequence[str]]], order: Sequence[str],
                   ) -> list[tuple[Any, list[str]]]:
    """The product groups as the train cuts them, from (name, elements) pairs: each group's
    elements of ``order`` in that order (a repeat kept, for the caller to refuse), empty
    groups dropped, the groups sorted by their first element. One ordering for ``validate``
    and ``design_train``: {La, NdPr, Ce} is the train La | Ce | NdPr, and [Sm, Y, Dy] the
    group [Sm, Dy, Y] (fuzz round 20)."""
    rank = {e: i for i, e in enumerate(order)}
    kept = [(n, sorted((e for e in g if e in rank), key=rank.__getitem__)) for n, g in named]
    return sorted(((n, g) for n, g in kept if g), key=lambda ng: rank[ng[1][0]])


def key_pairs(groups: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """The key pair of each cut between neighbouring ``groups`` (in extraction order): the
    first element of the more extracted group and the last of the less extracted one, e.g.
    (Ce, La) for La | Ce. One list for ``validate``'s factor check and the train's design."""
    return [(groups[g][0], groups[g - 1][-1]) for g in range(1, len(groups))]


def check_key_factors(extractant: str, groups: Sequence[Sequence[str]], order: Sequence[str],
                      overrides: Mapping[str, float] | None) -> None:
    """Every cut between neighbouring product groups (``groups`` in extraction ``order``) has a
    separation factor, shipped or in ``overrides``: the study's SX design asks for them, and a
    missing one passed ``validate`` and stopped the study (chain fuzz round 24)."""
    from reeflow.plant.sx.data import relative_extractability

    try:
        relative_extractability(extractant, list(order), key_pairs(groups),
                                overrides=overrides or None)
    except InputError as exc:
        raise in_project_file(exc) from None


def too_few_groups(path: str, products: Any) -> InputError:
    """The error for fewer than two product groups with elements in the feed: an SX train
    separates at least two products. One message for ``validate`` and the study's SX design
    (a single group passed validate and failed in the study, fuzz round 23)."""
    return InputError(path, products, "at least two product groups with elements present in "
                      "the ore", "to sell one mixed product, set plant.route: mixed_carbonate "
                      "(a mixed rare-earth carbonate, priced as one); to separate, give two or "
                      "more groups of elements with a share above 0 %")


def check_product_names(names: Any, path: str) -> None:
    """A product name holds no '|' and is not blank: the train labels a cut 'La|Ce+NdPr', and
    '|' splits a label into its two sides (fuzz round 22); a blank name made the label '|Ce'
    (fuzz round 23). '+' stays allowed ('SEG+' is the trade's name for Sm-Eu-Gd and up; the
    report reads labels through the groups)."""
    for key in names:
        if isinstance(key, str) and not key.strip():
            raise InputError(path, repr(key), "a product name that is not blank",
                             "name the product, e.g. by its elements (La, NdPr)")
        if isinstance(key, str) and "|" in key:
            raise InputError(f"{path}.{key}", key, "a product name without '|' (it splits a "
                             "cut's label into its two sides)",
                             f"rename it, e.g. {key.replace('|', '')}")


def neighbour_gaps(group: Sequence[str], order: Sequence[str]) -> list[str]:
    """The elements of ``order`` that lie between the members of ``group`` and are not in it
    (empty: the group is a run of neighbours). Elements ``order`` does not list are not
    looked at. One rule for the project file (``validate``) and ``design_train``: a product
    group is cut out of the train by two cuts, so it holds neighbours only."""
    rank = {e: i for i, e in enumerate(order)}
    at = sorted({rank[e] for e in group if e in rank})
    return [order[i] for i in range(at[0], at[-1] + 1) if i not in set(at)] if at else []


def check_spec_per_product(spec: Mapping[Any, Any], products: Sequence[str], path: str, *,
                           listed_in: str, dropped: Sequence[str] = ()) -> None:
    """A per-product spec (``{product: purity}``) names every product once and no other: an
    unknown product is refused with a close match, a missing one with the list to add (a
    product left out has no spec to design to, and none is invented). A spec for a product
    ``dropped`` (none of its elements fed) is accepted and unused. One check for the project
    file (``plant.separation.product_purity``) and ``design_train(purity=...)``."""
    for key in spec:
        if key not in products and key not in dropped:
            raise InputError(f"{path}.{key}", str(key),
                             f"a product of {listed_in}: {list(products)}",
                             did_you_mean(str(key), products))
    missing = [n for n in products if n not in spec]
    if missing:
        raise InputError(path, dict(spec), f"a purity for every product ({list(products)})",
                         f"add {', '.join(missing)}, or give one purity for all products, "
                         "e.g. 99.9 %")


def field_unit(name: str) -> str | None:
    """Canonical unit of an :class:`SXDesign` field (None for non-quantities)."""
    info = SXDesign.model_fields.get(name)
    if info is None:
        return None
    stack = [info.annotation, *info.metadata]
    while stack:
        item = stack.pop()
        if isinstance(item, Unit):
            return item.unit
        stack.extend(get_args(item))
        stack.extend(getattr(item, "__metadata__", ()))
    return None


class SXDesign(StrictModel):
    """SX design conditions of a project (all optional: unset = the shipped defaults).

    Bounds (plausible limits, not design windows):

    - ``extractant_mol_per_L`` 0.1–2.0 mol/L as monomer: "real plants run ~1–1.5 M saponified
      P507" (ree_separation.md §2b) with margin;
    - ``saponification_frac`` 0–0.8: NaOH-saponified P507 turns into a single-phase
      microemulsion above ~0.6–0.8 (*Adv. Mater. Res.* 668 (2013) 132, §2b);
    - ``loaded_organic_mol_per_L`` ≤ 0.5 mol/L: the REA3 ceiling of 1.5 M extractant
      (C_HA/3, §2b); checked again against the extractant concentration given;
    - the others: ``design_defaults.yaml`` ``bounds`` (source on each record).
    """

    extractant: str | None = None
    purity: Q("frac", ge=_b("purity", 0), le=_b("purity", 1)) | None = None  # type: ignore[valid-type]
    feed_mol_per_L: Q("mol/L", ge=_b("feed_mol_per_L", 0),  # type: ignore[valid-type]  # noqa: N815
                      le=_b("feed_mol_per_L", 1)) | None = None
    extractant_mol_per_L: Q("mol/L", ge=0.1, le=2.0) | None = None  # type: ignore[valid-type]  # noqa: N815
    saponification_frac: Q("frac", gt=0.0, le=0.8) | None = None  # type: ignore[valid-type]
    loaded_organic_mol_per_L: Q("mol/L", gt=0.0, le=0.5) | None = None  # type: ignore[valid-type]  # noqa: N815
    scrub_acid_mol_per_L: Q("mol/L", ge=_b("scrub_acid_mol_per_L", 0),  # type: ignore[valid-type]  # noqa: N815
                            le=_b("scrub_acid_mol_per_L", 1)) | None = None
    strip_acid_mol_per_L: Q("mol/L", ge=_b("strip_acid_mol_per_L", 0),  # type: ignore[valid-type]  # noqa: N815
                            le=_b("strip_acid_mol_per_L", 1)) | None = None
    strip_acid_excess_frac: Q("frac", ge=_b("strip_acid_excess_frac", 0),  # type: ignore[valid-type]
                              le=_b("strip_acid_excess_frac", 1)) | None = None
    oa_min: Q("frac", ge=_b("oa_window", 0), le=1.0) | None = None  # type: ignore[valid-type]
    oa_max: Q("frac", ge=1.0, le=_b("oa_window", 1)) | None = None  # type: ignore[valid-type]
    n_strip: int | None = Field(default=None, ge=int(_b("strip_stages", 0)),
                                le=int(_b("strip_stages", 1)))
    stage_efficiency: Q("frac", ge=0.05, le=1.0) | None = None  # type: ignore[valid-type]
    mixer_residence: Q("min", ge=_b("mixer_residence_min", 0),  # type: ignore[valid-type]
                       le=_b("mixer_residence_min", 1)) | None = None
    settler_residence: Q("min", ge=_b("settler_residence_min", 0),  # type: ignore[valid-type]
                         le=_b("settler_residence_min", 1)) | None = None
    temperature: Q("degC", ge=_b("temperature_C", 0), le=_b("temperature_C", 1)) | None = None  # type: ignore[valid-type]
    max_stages: int | None = Field(default=None, ge=int(_b("max_stages", 0)),
                                   le=int(_b("max_stages", 1)))
    adjust_concentrations: bool = True
    rank_by: Literal["cost", "cost_usd_per_a", "total_stages", "organic_inventory_m3",
                     "reagents_kg_per_h", "mixer_settler_volume_m3"] | None = None
    n_rigorous: int | None = Field(default=None, ge=1, le=42)

    @field_validator("extractant")
    @classmethod
    def _known_extractant(cls, v: str | None) -> str | None:
        if v is not None:
            extractant(v)  # InputError naming the shipped systems
        return v

    @model_validator(mode="after")
    def _loading_below_ceiling(self) -> SXDesign:
        c = self.extractant_mol_per_L
        if c is not None and self.loaded_organic_mol_per_L is not None \
                and self.loaded_organic_mol_per_L > c / 3.0:
            raise InputError("loaded_organic_mol_per_L", self.loaded_organic_mol_per_L,
                             f"<= {c / 3:.4g} mol/L (C_HA/3 for {c:g} mol/L extractant)",
                             "lower the loading or raise extractant_mol_per_L")
        return self

    def _loading(self, name: str) -> float | None:
        """The loaded organic these settings give (mol/L): set, or the saponification of the
        extractant (settings', else its record's concentration) over 3; None: neither."""
        if self.loaded_organic_mol_per_L is not None:
            return float(self.loaded_organic_mol_per_L)
        if self.saponification_frac is None:
            return None
        c = self.extractant_mol_per_L
        if c is None:
            c = extractant(name).get("extractant_mol_per_L", {}).get("value")
        return None if c is None else float(self.saponification_frac) * float(c) / 3.0

    def loading_given(self, name: str) -> bool:
        """Whether these settings fix the loaded organic for extractant ``name``."""
        return self._loading(name) is not None

    def to_conditions(self, extractant_name: str | None = None) -> DesignConditions:
        """DesignConditions for ``extractant_name`` (or the settings' own) with these values."""
        name = self.extractant or extractant_name or EXTRACTANTS[0]
        base = conditions_for_extractant(name, loaded_organic_mol_per_L=self._loading(name))
        kw: dict[str, Any] = {}
        for field in ("feed_mol_per_L", "scrub_acid_mol_per_L", "strip_acid_mol_per_L",
                      "strip_acid_excess_frac", "n_strip", "stage_efficiency",
                      "extractant_mol_per_L", "loaded_organic_mol_per_L"):
            val = getattr(self, field)
            if val is not None:
                kw[field] = val
        if self.saponification_frac is not None and self.loaded_organic_mol_per_L is None:
            c = kw.get("extractant_mol_per_L", base.extractant_mol_per_L)
            kw["loaded_organic_mol_per_L"] = self.saponification_frac * c / 3.0
        if self.mixer_residence is not None:
            kw["mixer_residence_min"] = self.mixer_residence
        if self.settler_residence is not None:
            kw["settler_residence_min"] = self.settler_residence
        if self.temperature is not None:
            kw["temperature_C"] = self.temperature
        if self.oa_min is not None or self.oa_max is not None:
            kw["oa_window"] = (self.oa_min if self.oa_min is not None else base.oa_window[0],
                               self.oa_max if self.oa_max is not None else base.oa_window[1])
        kw["adjust"] = self.adjust_concentrations
        return base.with_(**kw)

    def train_kwargs(self, extractant_name: str | None = None) -> dict[str, Any]:
        """Keyword arguments of ``design_train`` these settings fix (conditions included)."""
        out: dict[str, Any] = {"conditions": self.to_conditions(extractant_name)}
        for field in ("purity", "rank_by", "n_rigorous", "max_stages", "extractant"):
            val = getattr(self, field)
            if val is not None:
                out[field] = val
        return out


def parse_sx_design(tree: Mapping[str, Any] | None, *, prefix: str = "sx.") -> SXDesign:
    """Validate a settings mapping (InputError names the field; unknown keys get a hint)."""
    if tree is None:
        return SXDesign()
    if not isinstance(tree, Mapping):
        raise InputError(prefix.rstrip("."), tree, "a mapping of SX design settings",
                         "write the SX settings as key: value pairs, or remove the key for the "
                         "defaults")
    check_keys(tree, list(SXDesign.model_fields), prefix)
    try:
        model, _ = validate_tree(SXDesign, tree)
    except InputError as exc:
        field = exc.field if exc.field.startswith(prefix) else prefix + exc.field
        raise InputError(field, exc.value, exc.allowed, exc.fix) from None
    return model
