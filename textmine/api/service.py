"""What the routes and the web pages answer, computed from the store: one function per question,
shared by `/v1/...` (JSON) and the HTML pages, so both always say the same."""

from __future__ import annotations

import statistics
from itertools import islice

from textmine.api.errors import ApiProblem
from textmine.api.models import (
    Alternate, Consensus, Context, DocumentDetail, DocumentRecord, MaterialDetail, MaterialGroup, PropertyInfo,
    PropertyValues, QueueItem, RecordDetail, RecordsPage, ValuePoint,
)
from textmine.api.params import Filters, decode_cursor, encode_cursor
from textmine.api.state import AppState
from textmine.curation.edit import suspect_reasons
from textmine.curation.models import Review, ReviewRequest, ReviewStatus
from textmine.document import Document
from textmine.records import Record
from textmine.store.base import Query

# Units the range control offers, when they fit the property (its default unit comes first).
UNIT_CHOICES = ["eV", "meV", "J", "K", "degC", "degF", "GPa", "MPa", "kPa", "Pa", "S/m", "S/cm", "mS/cm", "W/(m*K)",
                "uV/K", "mV/K", "mAh/g", "Ah/kg", "%", "nm", "angstrom", "pm", "g/cm**3", "kg/m**3", "cm**2/(V*s)",
                "m**2/(V*s)", "T", "mT", "A/cm**2", "A/m**2", "m**2/g", "emu/g", "J/(g*K)", "J/(kg*K)", "ohm*cm", "ohm*m"]


def search(state: AppState, filters: Filters, *, limit: int, offset: int, cursor: str | None,
           facets: list[str]) -> RecordsPage:
    if limit > state.settings.max_limit:
        raise ApiProblem(422, "invalid_request", f"limit: at most {state.settings.max_limit}")
    key = filters.key()
    if cursor:
        if offset:
            raise ApiProblem(400, "bad_request", "give either `cursor` or `offset`, not both")
        offset = decode_cursor(cursor, key)
    query = filters.query(limit=limit, offset=offset, facets=facets)
    store = state.stores.store()
    try:
        result = store.search(query)
    except ValueError as exc:  # a unit that does not fit the property, a range without a property
        raise ApiProblem(422, "invalid_filter", str(exc)) from exc
    end = offset + len(result.records)
    page = RecordsPage(total=result.total, records=result.records, facets=result.facets,
                       next=encode_cursor(end, key) if result.records and end < result.total else None)
    return overlay(state, page)


def overlay(state: AppState, page: RecordsPage) -> RecordsPage:
    """Reviewed records as their reviewers left them, plus the documents' metadata."""
    latest = _latest_reviews(state, [r.record_id for r in page.records])
    if latest:
        page.records = [_effective(r, latest.get(r.record_id)) for r in page.records]
        page.reviews = {rid: ReviewStatus.of(review) for rid, review in latest.items()}
    page.documents = state.meta.many(state.stores.store(), [r.doc_id for r in page.records])
    return page


def _latest_reviews(state: AppState, record_ids: list[str]) -> dict[str, Review]:
    from textmine.store.reviews import CurationUnavailable

    if not record_ids:
        return {}
    try:
        return state.stores.reviews(readonly=not state.settings.write).latest(record_ids)
    except CurationUnavailable:
        return {}


def _effective(record: Record, review: Review | None) -> Record:
    from textmine.store.reviews import reviewed

    return reviewed(record, review)


def reviews_store(state: AppState):
    from textmine.store.reviews import CurationUnavailable

    try:
        return state.stores.reviews(readonly=not state.settings.write)
    except CurationUnavailable as exc:
        raise ApiProblem(501, "not_implemented", str(exc)) from exc


def add_review(state: AppState, record_id: str, request: ReviewRequest) -> Review:
    """Review a record (the API's POST and the web form both come here): 404 for an unknown record,
    422 for an edit that does not make a valid record."""
    from textmine.curation.edit import EditError, make_review

    reviews = reviews_store(state)
    record = reviews.get_record(record_id)
    if record is None:
        history = reviews.history(record_id)
        if not history:
            raise ApiProblem(404, "not_found", f"no record {record_id!r}")
        record = history[-1].original  # no longer extracted: the review still applies to what was
    try:
        review = make_review(record, request)
    except EditError as exc:
        raise ApiProblem(422, "invalid_edit", str(exc)) from exc
    reviews.add(review)
    return review


def record_detail(state: AppState, record_id: str) -> RecordDetail:
    reviews = reviews_store(state)
    extracted = reviews.get_record(record_id)
    history = reviews.history(record_id)
    latest = history[-1] if history else None
    if extracted is None and latest is None:
        raise ApiProblem(404, "not_found", f"no record {record_id!r}; search with GET /v1/records")
    current = _effective(extracted, latest) if extracted is not None else (latest.corrected or latest.original)
    store = state.stores.store()
    document = store.get_document(current.doc_id)
    from textmine.export.documents import DocumentMeta

    return RecordDetail(
        record=current, extracted=extracted, review=ReviewStatus.of(latest) if latest else None, history=history,
        document=DocumentMeta.of(document) if document else None,
        context=context(document, current) if document else Context(sentence=current.sentence, section=current.section),
        suspect=suspect_reasons(current),
    )


def context(document: Document, record: Record, around: int = 2) -> Context:
    """The sentences before and after the record's sentence, in its paragraph."""
    for section, paragraph in document.paragraphs():
        if not paragraph.start <= record.char_start < max(paragraph.end, paragraph.start + 1):
            continue
        sentences = paragraph.sentences
        for i, s in enumerate(sentences):
            if s.start == record.char_start:
                text = document.text
                return Context(before=" ".join(text[x.start:x.end] for x in sentences[max(0, i - around):i]),
                               sentence=text[s.start:s.end],
                               after=" ".join(text[x.start:x.end] for x in sentences[i + 1:i + 1 + around]),
                               section=section.title or section.kind)
    return Context(sentence=record.sentence, section=record.section)  # a table row: no running text around it


def document_detail(state: AppState, doc_id: str, limit: int = 500) -> DocumentDetail:
    from textmine.export.documents import DocumentMeta

    store = state.stores.store()
    document = store.get_document(doc_id)
    if document is None:
        raise ApiProblem(404, "not_found", f"no document {doc_id!r}; GET /v1/documents lists them")
    result = store.search(Query(doc_id=doc_id, limit=min(limit, 10_000)))
    latest = _latest_reviews(state, [r.record_id for r in result.records])
    records = sorted((_effective(r, latest.get(r.record_id)) for r in result.records),
                     key=lambda r: (r.char_start, r.value_start or 0))
    return DocumentDetail(
        document=DocumentMeta.of(document),
        sections=[s.title or s.kind for s in document.sections],
        warnings=document.warnings,
        records=[DocumentRecord(record=r, context=context(document, r, around=1)) for r in records],
        total_records=result.total,
        alternates=alternates(store, doc_id),
    )


def alternates(store, doc_id: str) -> list[Alternate]:
    """The other reads of this document's paper (textmine/papers.py)."""
    from textmine.papers import alternates as reads

    return [Alternate(doc_id=m.doc_id, source=m.source, format=m.evidence.format, reason=m.reason)
            for m in reads(store, doc_id)]


def list_documents(state: AppState, limit: int, cursor: str | None):
    from textmine.api.models import DocumentsPage
    from textmine.export.documents import DocumentMeta

    offset = decode_cursor(cursor, "documents") if cursor else 0
    store = state.stores.store()
    docs = [DocumentMeta.of(d) for d in islice(store.iter_documents(), offset, offset + limit + 1)]
    more = len(docs) > limit
    return DocumentsPage(documents=docs[:limit], next=encode_cursor(offset + limit, "documents") if more else None)


def _in_unit(value_si: float | None, prop, unit: str) -> float | None:
    from textmine.normalise.units import UnitError, convert

    if value_si is None:
        return None
    try:
        return convert(value_si, prop.si_unit or "dimensionless", unit or "dimensionless")
    except UnitError:
        return None


def _middle_si(record: Record) -> float | None:
    if record.value_si is not None:
        return record.value_si
    if record.value_min_si is not None and record.value_max_si is not None:
        return (record.value_min_si + record.value_max_si) / 2
    return None


def consensus(prop_name: str, records: list[Record]) -> Consensus:
    from textmine.ontology import load_ontology

    ontology = load_ontology()
    prop = ontology.get(prop_name) if prop_name in ontology else None
    unit = prop.default_unit if prop else (records[0].unit or "")
    values = [v for v in (_in_unit(_middle_si(r), prop, unit) if prop else r.value for r in records) if v is not None]
    return Consensus(property=prop_name, unit=unit, count=len(records), documents=len({r.doc_id for r in records}),
                     median=statistics.median(values) if values else None,
                     low=min(values) if values else None, high=max(values) if values else None)


def material_detail(state: AppState, key: str) -> MaterialDetail:
    store = state.stores.store()
    result = store.search(Query(formula=key, limit=1000))
    if result.total == 0:
        result = store.search(Query(material=key, limit=1000))
    if result.total == 0:
        raise ApiProblem(404, "not_found", f"no records of {key!r}; try its formula, e.g. TiO2")
    latest = _latest_reviews(state, [r.record_id for r in result.records])
    records = [_effective(r, latest.get(r.record_id)) for r in result.records]
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(record.material_id, []).append(record)
    materials = []
    for material_id, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        by_property: dict[str, list[Record]] = {}
        for r in members:
            by_property.setdefault(r.property, []).append(r)
        materials.append(MaterialGroup(
            material_id=material_id, names=sorted({r.material.text for r in members}),
            consensus=[consensus(p, rs) for p, rs in sorted(by_property.items())],
            records=sorted(members, key=lambda r: (r.property, -r.confidence)),
        ))
    first = records[0].material
    structures, spectra = _linked_structures(store, first.formula or key)
    return MaterialDetail(key=key, formula=first.formula, elements=first.elements, total=result.total, materials=materials,
                          structures=structures, spectra=spectra)


def _linked_structures(store, name: str) -> tuple[list[dict], list[dict]]:
    """The structures and spectra `textmine material` shows (textmine/link/material.py): those the
    records' best links point at and those of the same reduced formula; none without a companion."""
    try:
        from textmine.link.material import material_view

        view = material_view(store, name)
    except (ImportError, TypeError):  # no structures support for this store / install
        return [], []
    return view["structures"], view["spectra"]


def property_infos(state: AppState) -> list[PropertyInfo]:
    from textmine.ontology import load_ontology

    counts = state.stores.store().stats().by_property
    return [PropertyInfo(name=p.name, default_unit=p.default_unit, si_unit=p.si_unit, range=p.range, cues=p.cues,
                         symbols=p.symbols, units=units_for(p), records=counts.get(p.name, 0))
            for p in load_ontology().properties]


def units_for(prop) -> list[str]:
    units = [prop.default_unit] if prop.default_unit else []
    units += [u for u in UNIT_CHOICES if u != prop.default_unit and prop.si_unit_for(u) is not None]
    return units


def property_info(state: AppState, name: str) -> PropertyInfo:
    from textmine.cli.search import resolve_property
    import click

    try:
        canonical = resolve_property(name)
    except click.BadParameter as exc:
        raise ApiProblem(404, "not_found", exc.format_message().replace("--", "")) from exc
    for info in property_infos(state):
        if info.name == canonical:
            return info
    raise ApiProblem(404, "not_found", f"unknown property {name!r}")


def property_values(state: AppState, name: str, filters: Filters, unit: str | None, sample: int) -> PropertyValues:
    from textmine.ontology import load_ontology

    info = property_info(state, name)
    prop = load_ontology().get(info.name)
    unit = unit or prop.default_unit
    if prop.si_unit_for(unit) is None and unit != prop.default_unit:
        raise ApiProblem(422, "invalid_unit", f"unit {unit!r} does not fit {prop.name}; use one of {', '.join(info.units)}")
    filters.kw["property_"] = info.name
    query = filters.query(limit=0)
    store = state.stores.store()
    try:
        total = store.search(query).total
        valued = [(record, value) for record in islice(store.iter_records(query), sample)
                  if (value := _in_unit(_middle_si(record), prop, unit)) is not None]
        metas = state.meta.many(store, [record.doc_id for record, _ in valued])  # one read for the documents
        points = [ValuePoint(value=value, year=meta.year if (meta := metas.get(record.doc_id)) else None,
                             record_id=record.record_id, formula=record.material.formula) for record, value in valued]
    except ValueError as exc:
        raise ApiProblem(422, "invalid_filter", str(exc)) from exc
    return PropertyValues(property=info.name, unit=unit, total=total, points=points)


def review_queue(state: AppState, limit: int) -> list[QueueItem]:
    from textmine.store.reviews import review_queue as queue

    items = queue(reviews_store(state), limit)
    metas = state.meta.many(state.stores.store(), [record.doc_id for record, _ in items])
    return [QueueItem(record=record, reasons=reasons, document=metas.get(record.doc_id)) for record, reasons in items]


__all__ = ["add_review", "consensus", "context", "document_detail", "list_documents", "material_detail", "overlay",
           "property_info", "property_infos", "property_values", "record_detail", "review_queue", "search", "units_for"]
