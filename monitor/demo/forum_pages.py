"""Discuz! X3.5 pages for the demo forum, after the real markup in ``fixtures/discuz/utf8``.

Only what a parser of real pages reads is kept — the thread rows of ``forumdisplay``, the post
tables of ``viewthread`` (in :mod:`monitor.demo.thread_page`), breadcrumbs, pagers, ids,
classes and their nesting — with the sidebars, menus and scripts left out. Forum text
(subjects, messages, names) always goes through :func:`html.escape`.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from monitor.demo.discuz_format import POSTS_PER_PAGE, THREADS_PER_PAGE, dgmdate, multi, php_date

if TYPE_CHECKING:
    from monitor.demo.forum import Forum, Thread


def head(forum: Forum, title: str, base: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="renderer" content="webkit" />\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge" />\n'
        f"<title>{title} -  {escape(forum.site_name)} -  Powered by Discuz!</title>\n{extra}"
        '<meta name="generator" content="Discuz! X3.5" />\n'
        f'<base href="{escape(base)}" />\n</head>\n\n'
    )


def breadcrumb(forum: Forum, tail: str) -> str:
    return (
        '<div id="pt" class="bm cl">\n<div class="z">\n'
        f'<a href="./" class="nvhm" title="首页">{escape(forum.site_name)}</a><em>&raquo;</em>'
        '<a href="forum.php">论坛</a> <em>&rsaquo;</em> <a href="forum.php?gid=1">消费生活</a>'
        f"{tail}</div>\n</div>\n"
    )


def footer(forum: Forum) -> str:
    return (
        '<div id="ft" class="wp cl">\n<div id="flk" class="y">\n<p class="xs0">\n'
        f'GMT+8, {php_date(forum.now, "Y-n-j H:i")}<span id="debuginfo">\n</span>\n</p>\n</div>\n'
        '<div id="frt">\n<p>Powered by <strong>Discuz!</strong> <em>X3.5</em></p>\n</div></div>\n'
        "</body>\n</html>\n"
    )


def render_message(forum: Forum, message: str, base: str, body_class: str = "pg_viewthread") -> str:
    """The '提示信息' page Discuz's ``showmessage()`` serves (with HTTP 200)."""
    site = escape(forum.site_name)
    return (
        head(forum, "提示信息", base)
        + f'<body id="nv_forum" class="{body_class}">\n<div id="wp" class="wp">\n'
        + f'<div id="pt" class="bm cl">\n<div class="z"><a href="./" class="nvhm" title="首页">{site}</a> '
        + "<em>&rsaquo;</em> 提示信息</div>\n</div>\n"
        + '<div id="ct" class="wp cl w">\n<div class="nfl">\n<div class="f_c altw">\n'
        + f'<div id="messagetext" class="alert_error">\n<p>{escape(message)}</p>\n'
        + '<p class="alert_btnleft"><a href="javascript:history.back()">[点击这里返回上一页]</a></p>\n'
        + "</div>\n</div>\n</div>\n</div>\n</div>\n"
        + footer(forum)
    )


# --- index -------------------------------------------------------------------------------


def render_index(forum: Forum, base: str) -> str:
    """``forum.php``: the board list, one ``<h2><a href="forum-N-1.html">`` per board, as Discuz's."""
    rows = "".join(
        f'<tr><td class="fl_g"><dl><dt><h2><a href="forum-{board.fid}-1.html">{escape(board.name)}</a>'
        f'<em class="xw0 xi1" title="今日"> ({len(forum.visible_threads(board.fid))})</em></h2></dt>'
        "</dl></td></tr>\n"
        for board in forum.boards()
    )
    return (
        head(forum, "论坛", base)
        + '<body id="nv_forum" class="pg_index">\n<div id="wp" class="wp">\n'
        + breadcrumb(forum, "")
        + '<div id="ct" class="wp cl"><div class="mn"><div class="fl bm">\n'
        + '<div class="bm bmw flg cl"><div class="bm_h cl">'
        + '<h2><a href="forum.php?gid=1">消费生活</a></h2></div>\n'
        + f'<div class="bm_c"><table cellspacing="0" cellpadding="0" class="fl_tb">\n{rows}</table></div>\n'
        + "</div></div></div></div>\n</div>\n"
        + footer(forum)
    )


# --- forumdisplay ------------------------------------------------------------------------


def render_board(forum: Forum, fid: int, page: int, base: str) -> str:
    board = forum.board(fid)
    threads = forum.visible_threads(fid)
    pages = max(1, -(-len(threads) // THREADS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = threads[(page - 1) * THREADS_PER_PAGE : page * THREADS_PER_PAGE]
    name = escape(board.name)
    today = php_date(forum.now, "Y-n-j")
    today_posts = sum(
        1 for t in threads for p in forum.visible_posts(t.tid) if php_date(p.posted_at, "Y-n-j") == today
    )
    pager = multi(
        pages, page, lambda n: f"forum-{fid}-{n}.html", f"forum.php?mod=forumdisplay&fid={fid}&amp;page="
    )
    rows = []
    if any(t.sticky for t in shown):
        rows += [_board_row(forum, t, page) for t in shown if t.sticky]
        rows.append(
            '<tbody id="separatorline">\n<tr class="ts">\n<td>&nbsp;</td>\n<th><a href="javascript:;" '
            f"onclick=\"checkForumnew_btn('{fid}')\" "
            'title="查看更新" class="forumrefresh">版块主题</a></th>'
            "<td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td>\n</tr>\n</tbody>\n"
        )
    else:
        rows.append(
            '<tbody id="separatorline" class="emptb"><tr><td class="icn"></td><th></th><td class="by"></td>'
            '<td class="num"></td><td class="by"></td></tr></tbody>\n'
        )
    rows += [_board_row(forum, t, page) for t in shown if not t.sticky]
    autopbn = (
        f'<a class="bm_h" href="javascript:;" rel="forum.php?mod=forumdisplay&fid={fid}&page='
        f'{page + 1 if page < pages else 1}" curpage="{page}" id="autopbn" totalpage="{pages}" picstyle="0" '
        'forumdefstyle="">下一页 &raquo;</a>\n'
        if pages > 1
        else ""
    )
    return (
        head(forum, name, base, f'<meta name="keywords" content="{name}" />\n')
        + '<body id="nv_forum" class="pg_forumdisplay">\n<div id="wp" class="wp">\n'
        + breadcrumb(forum, f'<em>&rsaquo;</em> <a href="forum-{fid}-1.html">{name}</a>')
        + '<div class="boardnav">\n<div id="ct" class="wp cl">\n<div class="mn">\n'
        + '<div class="bm bml pbn">\n<div class="bm_h cl">\n'
        + f'<h1 class="xs2">\n<a href="forum-{fid}-1.html">{name}</a>\n'
        + f'<span class="xs1 xw0 i">今日: <strong class="xi1">{today_posts}</strong>'
        + '<span class="pipe">|</span>'
        + f'主题: <strong class="xi1">{len(threads)}</strong></span></h1>\n</div>\n</div>\n'
        + f'<div id="pgt" class="bm bw0 pgs cl">\n<span id="fd_page_top">{pager}</span>\n'
        + '<span class="pgb y"  ><a href="forum.php">返&nbsp;回</a></span>\n</div>\n'
        + '<div id="threadlist" class="tl bm bmw">\n<div class="th">\n'
        + '<table cellspacing="0" cellpadding="0">\n'
        + '<tr>\n<th colspan="2">\n<div class="tf">\n</div>\n</th>\n<td class="by">作者</td>\n'
        + '<td class="num">回复/查看</td>\n<td class="by">最后发表</td>\n</tr>\n</table>\n</div>\n'
        + '<div class="bm_c">\n<form method="post" autocomplete="off" name="moderate" id="moderate" '
        + f'action="forum.php?mod=topicadmin&amp;action=moderate&amp;fid={fid}&amp;infloat=yes&amp;'
        + 'nopost=yes">\n'
        + f'<table summary="forum_{fid}" cellspacing="0" cellpadding="0" id="threadlisttableid">\n'
        + "".join(rows)
        + '</table><!-- end of table "forum_G[fid]" branch 1/3 -->\n</form>\n</div>\n</div>\n'
        + autopbn
        + f'<div class="bm bw0 pgs cl">\n<span id="fd_page_bottom">{pager}</span>\n'
        + '<span  class="pgb y"><a href="forum.php">返&nbsp;回</a></span>\n</div>\n'
        + f"<script type=\"text/javascript\">\nvar fid = parseInt('{fid}');\n</script>\n"
        + "</div>\n</div>\n</div>\n</div>\n"
        + footer(forum)
    )


def _board_row(forum: Forum, thread: Thread, board_page: int) -> str:
    tid, kind = thread.tid, "stickthread" if thread.sticky else "normalthread"
    link = f"thread-{tid}-1-{board_page}.html"
    last = forum.last_post(tid)
    replies = forum.replies(tid)
    pages = -(-(replies + 1) // POSTS_PER_PAGE)
    if thread.sticky:
        icon = (
            f'<a href="{link}" title="本版置顶主题 - 新窗口打开" target="_blank">\n'
            '<i class="tpin tpin1"><svg width="18" height="18"><path d="M9 0l9 9H14v9H4V9H0z"></path>'
            "</svg></i>\n</a>"
        )
        hide = (
            f'<a href="javascript:void(0);" onclick="hideStickThread(\'{tid}\')" class="closeprev y" '
            'title="隐藏置顶帖">隐藏置顶帖</a>\n'
        )
    else:
        icon = (
            f'<a href="{link}" title="有新回复 - 新窗口打开" target="_blank">\n'
            '<i class="fico-thread fic6 fc-l"></i>\n</a>'
        )
        hide = ""
    tps = ""
    if pages > 1:
        links = "".join(
            f'<a href="thread-{tid}-{n}-{board_page}.html" onclick="atarget(this)">{n}</a>'
            for n in range(2, min(pages, 6) + 1)
        )
        if pages > 6:
            links += f'..<a href="thread-{tid}-{pages}-{board_page}.html" onclick="atarget(this)">{pages}</a>'
        tps = f'<span class="tps">&nbsp;...{links}</span>\n'
    new = (
        f'<a href="forum.php?mod=redirect&amp;tid={tid}&amp;goto=lastpost#lastpost" class="xi1">New</a>\n'
        if forum.now - last.posted_at < timedelta(days=1)
        else ""
    )
    return (
        f'<tbody id="{kind}_{tid}">\n<tr>\n<td class="icn">\n{icon}\n</td>\n'
        f'<th class="{"common" if thread.sticky else "new"}">\n'
        f'<a href="javascript:;" id="content_{tid}" class="showcontent y" title="更多操作" '
        f"onclick=\"CONTENT_TID='{tid}';CONTENT_ID='{kind}_{tid}';showMenu({{'ctrlid':this.id,'menuid':'content_menu'}})\">"
        f"</a>\n{hide}"
        f' <a href="{link}" onclick="atarget(this)" class="s xst">{escape(thread.subject)}</a>\n'
        f"{tps}{new}</th>\n"
        f'<td class="by">\n<cite>\n<a href="home.php?mod=space&amp;uid={thread.authorid}" c="1">'
        f"{escape(thread.author)}</a></cite>\n"
        f"<em><span>{dgmdate(thread.posted_at, forum.now, 'Y-n-j')}</span></em>\n</td>\n"
        f'<td class="num"><a href="{link}" class="xi2">{replies}</a><em>{forum.views(tid)}</em></td>\n'
        f'<td class="by">\n<cite><a href="home.php?mod=space&username={quote(last.author)}" c="1">'
        f"{escape(last.author)}</a></cite>\n"
        f'<em><a href="forum.php?mod=redirect&tid={tid}&goto=lastpost#lastpost">'
        f"{dgmdate(last.posted_at, forum.now, 'Y-n-j H:i')}</a></em>\n</td>\n</tr>\n</tbody>\n"
    )
