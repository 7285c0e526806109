"""Template filters writing evaluation figures the way `evaluation.formatting` does."""

from django import template

from highharm.evaluation import formatting

register = template.Library()

register.filter("ev_count", formatting.count)
register.filter("ev_days", formatting.days)
register.filter("ev_pct", formatting.pct)
register.filter("ev_signed", formatting.signed)
register.filter("ev_interval", formatting.interval)
register.filter("ev_ratio", formatting.ratio)
register.filter("ev_ratio_interval", formatting.ratio_interval)
register.filter("ev_p", formatting.pvalue)
register.filter("ev_share", formatting.share)
register.filter("ev_p_phrase", formatting.p_phrase)


@register.filter
def ev_get(mapping, key):
    """mapping[key] in a template (keys such as 'cohort' that clash with nothing)."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def ev_yesno(value):
    if value is None:
        return "not yet known"
    return "yes" if value else "no"
