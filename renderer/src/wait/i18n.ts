// The waiting room's own small dictionary (the page is for end users and loads
// none of the console's i18next setup). Both languages carry the same keys; the
// compiler checks it. Parameters are written {name}.

const en = {
  docTitle: 'Waiting room · StreamCap',
  docTitleQueued: '#{n} in line · StreamCap',
  docTitleReady: 'Your stream is ready',
  brandTag: 'Live stream access',
  language: 'Language',

  // Join form
  joinEyebrow: 'Waiting room',
  joinTitle: 'Join the stream',
  joinLead: 'Tell us your name and how you would like to join. We hold your place in line and let you in as soon as a stream is free.',
  nameLabel: 'Your name',
  nameHint: 'Shown to the host, up to 64 characters.',
  namePlaceholder: 'e.g. Alex',
  wantLegend: 'How would you like to join?',
  wantOperateTitle: 'Take control',
  wantOperateText: 'Drive the stream yourself with your own seat.',
  wantWatchTitle: 'Just watch',
  wantWatchText: 'Follow someone else’s stream live.',
  wantAnyTitle: 'Either',
  wantAnyText: 'Watch now, take control when a seat frees up.',
  joinButton: 'Join the queue',
  joining: 'Joining…',
  restoring: 'Finding your place…',

  // Waiting
  queuedEyebrow: 'Waiting room',
  queuedTitle: 'You’re in line',
  hello: 'Hi {name}',
  positionLabel: 'Your position',
  aheadNone: 'You’re next — hang tight.',
  aheadOne: '1 person ahead of you',
  aheadMany: '{n} people ahead of you',
  waitLabel: 'Estimated wait',
  estimating: 'estimating…',
  pausedValue: 'admission is paused',
  pausedNote: 'The host has paused admission for now. You keep your place and move up as soon as it resumes.',
  waitUnderMinute: 'less than a minute',
  waitMinutes: 'about {n} min',
  waitHours: 'about {h} h {m} min',
  keepOpen: 'Keep this page open to keep your place — it updates by itself.',

  // Admitted
  readyEyebrow: 'Admitted',
  readyTitle: 'Your stream is ready',
  readyText: 'Instance {n} is yours.',
  readyNoLink: 'Instance {n} is yours — the host will show you the screen.',
  openStream: 'Open your stream',
  onServer: 'On server {name}',
  lostServer: 'Server {name} went offline: you are back at the front of the line, and go to the next free place.',
  opensInNewTab: '(opens in a new tab)',
  readyKeepOpen: 'Keep this page open while you stream: closing it hands your seat to the next person.',
  watchingEyebrow: 'Watching',
  watchingTitle: 'You are watching instance {n}',
  watchingText: 'Open the stream to watch along.',
  watchingNoLink: 'The host will show you the screen.',
  openWatch: 'Open the stream',
  seatLine: 'You’re also #{n} in line for a seat',
  seatNext: 'You’re next in line for a seat',

  leave: 'Leave',
  leaveDone: 'I’m done — leave',
  leaving: 'Leaving…',

  // Connection
  connLive: 'Live updates',
  connConnecting: 'Connecting…',
  connReconnecting: 'Reconnecting… checking every 5 s meanwhile',
  connOffline: 'Connection lost — we keep trying',

  // Ended
  endedEyebrow: 'Session ended',
  endedLeftTitle: 'You left the queue',
  endedLeftText: 'Your place has been given to the next person. Thanks for stopping by.',
  endedKickedTitle: 'You were removed',
  endedKickedText: 'The host removed you from the stream. If you think this was a mistake, you can join again.',
  endedTimeoutTitle: 'Your place was released',
  endedTimeoutText: 'We lost contact with this page for too long, so your place went to the next person. Join again to get back in line.',
  endedClosedTitle: 'The waiting room closed',
  endedClosedText: 'The host shut the waiting room down. Try again later.',
  endedExpiredTitle: 'Your place has expired',
  endedExpiredText: 'This page was away too long or the host ended your session. Join again to get a new place.',
  joinAgain: 'Join again',

  // Errors
  errNameRequired: 'Please enter your name.',
  errNameTooLong: 'Please use a name of at most 64 characters.',
  errBadRequest: 'The server did not accept this request: {message} Please check the form and try again.',
  errRateLimited: 'Too many requests right now. Please wait {n} s and try again.',
  errNetwork: 'We couldn’t reach the server. Check your connection and try again.',
  errServer: 'The server ran into a problem ({status}). Please try again in a moment.',
  errLeave: 'Leaving did not go through: {message} Try again.',
  dismiss: 'Dismiss',
} as const;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  docTitle: '排队等候 · StreamCap',
  docTitleQueued: '第 {n} 位 · StreamCap',
  docTitleReady: '您的画面已就绪',
  brandTag: '实时画面接入',
  language: '语言',

  joinEyebrow: '排队等候',
  joinTitle: '加入画面',
  joinLead: '请填写您的名字并选择加入方式。我们会为您保留排位，一有空闲画面就立即为您接入。',
  nameLabel: '您的名字',
  nameHint: '主持人可见，最多 64 个字符。',
  namePlaceholder: '例如：小王',
  wantLegend: '您想如何加入？',
  wantOperateTitle: '操作画面',
  wantOperateText: '独享一个席位，亲自操作画面。',
  wantWatchTitle: '仅观看',
  wantWatchText: '实时观看他人操作的画面。',
  wantAnyTitle: '都可以',
  wantAnyText: '先观看，有空闲席位时再接手操作。',
  joinButton: '开始排队',
  joining: '正在加入…',
  restoring: '正在查找您的排位…',

  queuedEyebrow: '排队等候',
  queuedTitle: '您正在排队',
  hello: '{name}，您好',
  positionLabel: '当前排位',
  aheadNone: '下一位就是您，请稍候。',
  aheadOne: '您前面还有 1 人',
  aheadMany: '您前面还有 {n} 人',
  waitLabel: '预计等待',
  estimating: '正在估算…',
  pausedValue: '入场已暂停',
  pausedNote: '主持人暂时暂停了入场。您的排位会保留，恢复后将继续按顺序入场。',
  waitUnderMinute: '不到 1 分钟',
  waitMinutes: '约 {n} 分钟',
  waitHours: '约 {h} 小时 {m} 分钟',
  keepOpen: '请保持本页面打开以保留排位，页面会自动更新。',

  readyEyebrow: '已入场',
  readyTitle: '您的画面已就绪',
  readyText: '实例 {n} 已分配给您。',
  readyNoLink: '实例 {n} 已分配给您——主持人会为您打开画面。',
  openStream: '打开我的画面',
  onServer: '服务器 {name}',
  lostServer: '服务器 {name} 已离线：您已回到队伍最前面，将分配到下一个空位。',
  opensInNewTab: '（在新标签页中打开）',
  readyKeepOpen: '使用期间请保持本页面打开，关闭后席位将让给下一位。',
  watchingEyebrow: '观看中',
  watchingTitle: '您正在观看实例 {n}',
  watchingText: '点击下方按钮即可观看。',
  watchingNoLink: '主持人会为您打开画面。',
  openWatch: '打开画面',
  seatLine: '您同时在操作席位队列中排第 {n} 位',
  seatNext: '下一个空闲席位就是您的',

  leave: '离开',
  leaveDone: '我已结束，离开',
  leaving: '正在离开…',

  connLive: '实时更新中',
  connConnecting: '正在连接…',
  connReconnecting: '正在重新连接…期间每 5 秒刷新一次',
  connOffline: '连接已断开，正在重试',

  endedEyebrow: '会话已结束',
  endedLeftTitle: '您已离开队列',
  endedLeftText: '您的位置已让给下一位。感谢您的光临。',
  endedKickedTitle: '您已被移出',
  endedKickedText: '主持人已将您移出。如果您认为这是误操作，可以重新加入。',
  endedTimeoutTitle: '您的排位已释放',
  endedTimeoutText: '本页面与服务器失去联系的时间过长，您的排位已让给下一位。重新加入即可再次排队。',
  endedClosedTitle: '等候室已关闭',
  endedClosedText: '主持人已关闭等候室，请稍后再试。',
  endedExpiredTitle: '您的排位已失效',
  endedExpiredText: '本页面离开太久，或主持人已结束您的会话。重新加入即可获得新的排位。',
  joinAgain: '重新加入',

  errNameRequired: '请输入您的名字。',
  errNameTooLong: '名字最多 64 个字符。',
  errBadRequest: '服务器未接受此请求：{message} 请检查填写内容后重试。',
  errRateLimited: '请求过于频繁，请等待 {n} 秒后重试。',
  errNetwork: '无法连接服务器，请检查网络后重试。',
  errServer: '服务器出现问题（{status}），请稍后重试。',
  errLeave: '离开未成功：{message} 请重试。',
  dismiss: '关闭',
};

export const LANGS = [
  { code: 'en', label: 'EN', name: 'English' },
  { code: 'zh-CN', label: '中文', name: '简体中文' },
] as const;
export type Lang = (typeof LANGS)[number]['code'];

const DICTS: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** zh* → zh-CN, anything else → English. */
export function pickLang(locale: string | null | undefined): Lang {
  return locale && /^zh\b/i.test(locale) ? 'zh-CN' : 'en';
}

/** ?lang= first, then the browser's language. */
export function initialLang(search: string = location.search, nav: string | undefined = navigator.language): Lang {
  const q = new URLSearchParams(search).get('lang');
  if (q) return pickLang(q);
  return pickLang(nav);
}

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function translator(lang: Lang): Translate {
  const dict = DICTS[lang];
  return (key, params) => {
    const text = dict[key] ?? en[key];
    return params ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : text;
  };
}

/** A wait in words: "less than a minute", "about 2 min", "about 1 h 5 min". */
export function waitInWords(t: Translate, sec: number): string {
  if (sec < 60) return t('waitUnderMinute');
  const min = Math.round(sec / 60);
  if (min < 60) return t('waitMinutes', { n: min });
  return t('waitHours', { h: Math.floor(min / 60), m: min % 60 });
}
