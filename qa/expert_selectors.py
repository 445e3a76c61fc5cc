"""Expert statistics for admins: throughput, agreement with other experts, known-answer accuracy.

Reads only. Agreement comes from ordinary double-read items (the first two reads of a model mask, reads
of known-answer items left out); accuracy from reads of known-answer items, each scored when submitted
(Review.known_answer_correct). The math is in qa.agreement.
"""

from collections import defaultdict

from qa.agreement import active_seconds, cohen_kappa, items_per_hour, mean_or_none, median_or_none
from qa.models import Review, Role, User
from qa.services.item_agreement import correction_crls, item_agreement


def _rounded(value, digits=4):
    return None if value is None else round(value, digits)


def expert_stats() -> dict:
    reviews = list(Review.objects.select_related("expert", "corrected_mask").order_by("created_at", "id"))
    experts = {user.pk: user for user in User.objects.filter(role=Role.EXPERT)}
    experts.update({review.expert_id: review.expert for review in reviews})

    by_expert: dict[int, list[Review]] = defaultdict(list)
    by_mask: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_expert[review.expert_id].append(review)
        if review.known_answer_correct is None:
            by_mask[review.mask_id].append(review)
    double_reads = [reads[:2] for reads in by_mask.values() if len(reads) >= 2]
    crls = correction_crls([r.corrected_mask_id for reads in double_reads for r in reads if r.corrected_mask_id])

    # Per expert and per pair: (own verdict, other's verdict), and the two corrections' Dice / CRL difference.
    verdict_pairs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    dices: dict[int, list[float]] = defaultdict(list)
    crl_diffs: dict[int, list[float]] = defaultdict(list)
    pair_rows: dict[tuple[int, int], dict] = {}
    overall_pairs, overall_dice, overall_crl = [], [], []
    for first, second in double_reads:
        agreement = item_agreement([first, second], crls)
        overall_pairs.append((first.verdict, second.verdict))
        a, b = sorted([first, second], key=lambda r: r.expert.get_username())
        pair = pair_rows.setdefault((a.expert_id, b.expert_id), {"verdicts": [], "dice": [], "crl": []})
        pair["verdicts"].append((a.verdict, b.verdict))
        for own, other in ((first, second), (second, first)):
            verdict_pairs[own.expert_id].append((own.verdict, other.verdict))
        if agreement.correction_dice is not None:
            overall_dice.append(agreement.correction_dice)
            pair["dice"].append(agreement.correction_dice)
            for reviewer in (first, second):
                dices[reviewer.expert_id].append(agreement.correction_dice)
        if agreement.crl_difference_mm is not None:
            overall_crl.append(agreement.crl_difference_mm)
            pair["crl"].append(agreement.crl_difference_mm)
            for reviewer in (first, second):
                crl_diffs[reviewer.expert_id].append(agreement.crl_difference_mm)

    rows = []
    for expert_id, user in experts.items():
        own = by_expert.get(expert_id, [])
        seconds = active_seconds([(r.created_at, r.seconds_spent) for r in own])
        scored = [r.known_answer_correct for r in own if r.known_answer_correct is not None]
        rows.append(
            {
                "expert": {"id": user.pk, "username": user.get_username()},
                "reviews": len(own),
                "corrections": sum(1 for r in own if r.corrected_mask_id),
                "active_hours": round(seconds / 3600.0, 4),
                "items_per_hour": _rounded(items_per_hour(len(own), seconds), 2),
                "median_seconds_per_item": _rounded(median_or_none(r.seconds_spent for r in own), 2),
                "double_reads": len(verdict_pairs[expert_id]),
                "kappa_with_others": _rounded(cohen_kappa(verdict_pairs[expert_id])),
                "correction_dice": _rounded(mean_or_none(dices[expert_id])),
                "crl_difference_mm": _rounded(mean_or_none(crl_diffs[expert_id]), 3),
                "known_answer_reads": len(scored),
                "known_answer_accuracy": _rounded(sum(scored) / len(scored) if scored else None),
            }
        )
    rows.sort(key=lambda row: (-row["reviews"], row["expert"]["username"]))
    pairs = [
        {
            "experts": [
                {"id": experts[a].pk, "username": experts[a].get_username()},
                {"id": experts[b].pk, "username": experts[b].get_username()},
            ],
            "items": len(data["verdicts"]),
            "kappa": _rounded(cohen_kappa(data["verdicts"])),
            "correction_dice": _rounded(mean_or_none(data["dice"])),
            "crl_difference_mm": _rounded(mean_or_none(data["crl"]), 3),
        }
        for (a, b), data in sorted(pair_rows.items(), key=lambda kv: (-len(kv[1]["verdicts"]), kv[0]))
    ]
    all_scored = [r.known_answer_correct for r in reviews if r.known_answer_correct is not None]
    return {
        "experts": rows,
        "pairs": pairs,
        "overall": {
            "reviews": len(reviews),
            "double_read_items": len(double_reads),
            "kappa": _rounded(cohen_kappa(overall_pairs)),
            "correction_dice": _rounded(mean_or_none(overall_dice)),
            "crl_difference_mm": _rounded(mean_or_none(overall_crl), 3),
            "known_answer_reads": len(all_scored),
            "known_answer_accuracy": _rounded(sum(all_scored) / len(all_scored) if all_scored else None),
        },
    }
