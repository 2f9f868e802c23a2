"""The ``viewthread`` page of the demo forum, after ``fixtures/discuz/utf8/viewthread_tid2_p1.html``.

Floors 1-4 are named 楼主/沙发/板凳/地板 as Discuz names them, later ones ``<em>N</em><sup>#</sup>``;
post dates are ``dgmdate(..., 'u')`` with ``Y-n-j H:i:s``; a quote is Discuz's
``<div class="quote"><blockquote>`` with the quoted author and time in ``<font color="#999999">``.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from monitor.demo.discuz_format import POSTS_PER_PAGE, dgmdate, discuz_cut, multi, php_date
from monitor.demo.forum_pages import breadcrumb, footer, head

if TYPE_CHECKING:
    from monitor.demo.forum import Forum, Post, Thread

_FLOOR_NAMES = {1: "楼主", 2: "沙发", 3: "板凳", 4: "地板"}


def render_thread(forum: Forum, tid: int, page: int, base: str) -> str:
    thread = forum.thread(tid)
    board = forum.board(thread.fid)
    posts = forum.visible_posts(tid)
    pages = forum.page_count(tid)
    page = min(max(page, 1), pages)
    subject, fid = escape(thread.subject), thread.fid
    short = escape(discuz_cut(thread.subject, 52))
    mpurl = f"forum.php?mod=viewthread&tid={tid}&extra=&amp;page="
    pager = multi(pages, page, lambda n: f"{mpurl}{n}", mpurl)
    if page == 1:
        header = (
            '<div class="hm ptn">\n'
            f'<span class="xg1">查看:</span> <span class="xi1">{forum.views(tid)}</span>'
            '<span class="pipe">|</span>'
            f'<span class="xg1">回复:</span> <span class="xi1">{forum.replies(tid)}</span>\n</div>'
        )
    else:
        author, space = escape(thread.author), f"home.php?mod=space&amp;uid={thread.authorid}"
        header = (
            f'<div id="tath" class="cl">\n<a href="{space}" title="{author}">'
            f'<img src="{escape(base)}uc_server/avatar.php?uid={thread.authorid}&size=small" '
            f'class="user_avatar"></a>\n楼主: <a href="{space}" title="{author}">{author}</a>\n</div>'
        )
    description = escape(discuz_cut(posts[0].message.replace("\n", ""), 160))
    shown = posts[(page - 1) * POSTS_PER_PAGE : page * POSTS_PER_PAGE]
    next_button = (
        f'<div class="pgbtn"><a href="forum.php?mod=viewthread&amp;tid={tid}&extra=&amp;page={page + 1}" '
        'hidefocus="true" class="bm_h">下一页 &raquo;</a></div>\n'
        if page < pages
        else ""
    )
    return (
        head(
            forum,
            f"{subject} - {escape(board.name)}",
            base,
            f'<link href="{escape(base)}thread-{tid}-1-1.html" rel="canonical" />\n'
            f'<meta name="keywords" content="{subject}" />\n'
            f'<meta name="description" content="{description} {subject} ,{escape(forum.site_name)}" />\n',
        )
        + '<body id="nv_forum" class="pg_viewthread">\n<div id="wp" class="wp">\n'
        + f"<script type=\"text/javascript\">var fid = parseInt('{fid}'), tid = parseInt('{tid}');</script>\n"
        + breadcrumb(
            forum,
            f' <em>&rsaquo;</em> <a href="forum-{fid}-1.html">{escape(board.name)}</a> <em>&rsaquo;</em> '
            f'<a href="thread-{tid}-1-1.html">{short}</a>\n',
        )
        + f'<div id="ct" class="wp cl">\n<div id="pgt" class="pgs mbm cl ">\n<div class="pgt">{pager}</div>\n'
        + f'<span class="y pgb"><a href="forum-{fid}-1.html">返回列表</a></span>\n</div>\n'
        + '<div id="postlist" class="pl bm">\n<table cellspacing="0" cellpadding="0">\n<tr>\n'
        + f'<td class="pls ptn pbn">\n{header}\n</td>\n<td class="plc ptm pbn vwthd">\n'
        + f'<h1 class="ts">\n<span id="thread_subject">{subject}</span>\n</h1>\n<span class="xg1">\n'
        + f'<a href="thread-{tid}-1-1.html" onclick="return copyThreadUrl(this, '
        + f"'{escape(forum.site_name)}')\" >[复制链接]</a>\n</span>\n</td>\n</tr>\n</table>\n"
        + "".join(_post(forum, thread, post, page, base) for post in shown)
        + '<div id="postlistreply" class="pl">'
        + '<div id="post_new" class="viewthread_table" style="display: none"></div></div>\n</div>\n'
        + next_button
        + f'<div class="pgs mtm mbm cl">\n{pager}'
        + f'<span class="pgb y"><a href="forum-{fid}-1.html">返回列表</a></span>\n</div>\n</div>\n</div>\n'
        + footer(forum)
    )


def _message_html(text: str) -> str:
    return escape(text).replace("\n", "<br />\n")


def _post(forum: Forum, thread: Thread, post: Post, page: int, base: str) -> str:
    pid, tid, uid, author = post.pid, thread.tid, post.authorid, escape(post.author)
    if post.floor == 1:
        floor_href, reply = f"thread-{tid}-1-1.html", "reppost"
    else:
        floor_href, reply = f"forum.php?mod=redirect&goto=findpost&ptid={tid}&pid={pid}", "repquote"
    floor = _FLOOR_NAMES.get(post.floor, f"<em>{post.floor}</em><sup>#</sup>")
    if post.floor > 1 and post.authorid == thread.authorid:
        icon = (
            f'<em class="authicn fico-person fic4 fnmr vm" id="authicon{pid}" title="楼主"></em>\n'
            '&nbsp;楼主<span class="pipe">|</span>'
        )
    else:
        icon = f'<img class="authicn vm" id="authicon{pid}" src="static/image/common/online_member.gif" />'
    body = _message_html(post.message)
    if post.quote is not None:
        q = post.quote
        header = escape(q.author) + (f" 发表于 {php_date(q.posted_at, 'Y-n-j H:i')}" if q.posted_at else "")
        header = f'<font color="#999999">{header}</font>'
        if q.pid is not None:
            header = (
                f'<a href="{escape(base)}forum.php?mod=redirect&amp;goto=findpost&amp;pid={q.pid}'
                f'&amp;ptid={tid}" target="_blank">{header}</a>'
            )
        body = (
            f'<div class="quote"><blockquote><font size="2">{header}</font><br />\n'
            f"{_message_html(q.text)}</blockquote></div>{body}"
        )
    return (
        f'<div id="post_{pid}" ><table id="pid{pid}" class="plhin" summary="pid{pid}" cellspacing="0" '
        'cellpadding="0">\n<tr>\n <td class="pls" rowspan="2">\n'
        f'<div id="favatar{pid}" class="pls cl favatar">\n<div class="pi">\n'
        f'<div class="authi"><a href="home.php?mod=space&amp;uid={uid}" target="_blank" class="xw1">'
        f"{author}</a>\n"
        "</div>\n</div>\n<div>\n"
        f'<div class="avatar"><a href="home.php?mod=space&amp;uid={uid}" class="avtm" target="_blank">'
        f'<img src="{escape(base)}uc_server/avatar.php?uid={uid}&size=middle" class="user_avatar">'
        "</a></div>\n"
        "</div>\n</div>\n</td>\n"
        '<td class="plc">\n<div class="pi">\n<strong>\n'
        f'<a href="{floor_href}"   id="postnum{pid}" '
        "onclick=\"setCopy(this.href, '帖子地址复制成功');return false;\">\n"
        f"{floor}</a>\n</strong>\n"
        f'<div class="pti">\n<div class="pdbt">\n</div>\n<div class="authi">\n{icon}\n'
        f'<em id="authorposton{pid}">发表于 {dgmdate(post.posted_at, forum.now, "Y-n-j H:i:s")}</em>\n'
        '<span class="pipe">|</span>\n'
        f'<a href="forum.php?mod=viewthread&amp;tid={tid}&amp;page=1&amp;authorid={uid}" '
        'rel="nofollow">只看该作者</a>\n'
        "</div>\n</div>\n</div>"
        '<div class="pct"><div class="pcb">\n<div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr>'
        f'<td class="t_f" id="postmessage_{pid}">\n{body}</td></tr></table>\n\n</div>\n'
        f'<div id="comment_{pid}" class="cm">\n</div>\n\n'
        f'<div id="post_rate_div_{pid}"></div>\n</div>\n</div>\n\n'
        "</td></tr>\n"
        f'<tr><td class="plc plm">\n</td>\n</tr>\n<tr id="_postposition{pid}"></tr>\n'
        '<tr>\n<td class="pls"></td>\n<td class="plc" style="overflow:visible;">\n<div class="po hin">\n'
        '<div class="pob cl">\n<em>\n'
        f'<a class="fastre" href="forum.php?mod=post&amp;action=reply&amp;fid={thread.fid}&amp;tid={tid}&amp;'
        f'{reply}={pid}&amp;extra=&amp;page={page}" onclick="showWindow(\'reply\', this.href)">回复</a>\n'
        "</em>\n</div>\n</div>\n</td>\n</tr>\n</table>\n</div>"
    )
