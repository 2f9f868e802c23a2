"""HTML of the dashboard's sign-in: asking for a link, "check your email", and the button a link opens;
and the page that asks before signing out on every device.

Every string from outside goes through :func:`~monitor.web.pages.h`; no page carries a script.
"""

from __future__ import annotations

from monitor.web.pages import csrf_field, h, page_html


def signin_page(*, email_on: bool, problem: str | None = None, address: str = "") -> str:
    body = ["<h1>登录 Sign in</h1>"]
    if problem:
        body.append(f'<p class="problem" role="alert">{h(problem)}</p>')
    if email_on:
        body.append(
            "<p>请输入接收告警邮件的地址，登录链接会发到那里。 "
            "Enter the address your alert emails go to; a sign-in link will be sent there.</p>"
            '<form method="post" action="/signin"><p><label for="email">邮箱 Email</label><br>'
            f'<input id="email" name="email" type="email" required size="40" value="{h(address)}" '
            'autocomplete="email" autofocus>'
            '</p><button type="submit">发送登录链接 Send me a sign-in link</button></form>'
        )
    else:
        body.append(
            "<p>登录链接通过邮件发送，而本系统没有开启 SMTP；请向运维要一个链接。 "
            "Sign-in links go by email, and SMTP is off in this installation. "
            "Ask whoever runs the monitor for a link: "
            "<code>monitor web signin-link --to YOUR_KEY</code>.</p>"
        )
    return page_html("登录 Sign in · BBS crisis monitor", body)


def signin_sent_page(address: str, minutes: float) -> str:
    return page_html(
        "登录 Sign in · BBS crisis monitor",
        [
            "<h1>请查收邮件 Check your email</h1>",
            f'<p class="flash" role="status">如果 {h(address)} 是团队成员的地址，登录链接正在发送，'
            f"{minutes:g} 分钟内可用一次。 If {h(address)} belongs to someone on the team, a sign-in link "
            f"is on its way. It works once, within {minutes:g} minutes.</p>",
            '<p class="muted">没有收到？请检查地址，等一分钟再 '
            "Nothing arrived? Check the address, wait a minute and "
            '<a href="/signin">重新申请 ask again</a>.</p>',
        ],
    )


def signin_confirm_page(name: str) -> str:
    """What a sign-in link opens: a button, because mail scanners open links too."""
    return page_html(
        "登录 Sign in · BBS crisis monitor",
        [
            "<h1>登录 Sign in</h1>",
            f"<p>以 <strong>{h(name)}</strong> 的身份登录仪表板？ "
            f"Sign in to the dashboard as <strong>{h(name)}</strong>?</p>",
            '<form method="post" action=""><button type="submit" class="big" style="background:#2f6690" '
            "autofocus>登录 Sign in</button></form>",
        ],
    )


def signout_everywhere_page(nav: str, name: str, csrf: str) -> str:
    """Signing out on every device, asked first: the link to it sits next to "Sign out" at the top of
    every page, where a phone's stray tap lands, and the devices it signs out all need a new link."""
    return page_html(
        "全部退出 Sign out everywhere · BBS crisis monitor",
        [
            nav,
            "<h1>全部退出 Sign out everywhere</h1>",
            f"<p>这会结束 <strong>{h(name)}</strong> 在所有设备上的登录："
            "这一台，以及以你身份登录的每部手机和电脑，"
            "每台都需要新的登录链接。适用于丢失或共用的手机；只退出这台设备，用上方的"
            "<strong>退出 Sign out</strong>即可。 "
            f"This ends <strong>{h(name)}</strong>'s sign-in on every device: this one, and every "
            "phone or computer signed in as you. Each will need a new sign-in link. For a lost or "
            "shared phone; to leave this device only, <strong>退出 Sign out</strong> above is enough.</p>",
            f'<form method="post" action="/signout">{csrf_field(csrf)}'
            '<input type="hidden" name="everywhere" value="1">'
            '<button type="submit" class="big" style="background:#b91c1c">全部退出 Sign out everywhere'
            "</button></form>",
            '<p><a href="/alerts">取消 Cancel, back to the alerts</a></p>',
        ],
    )
