// 中文优先, English on the toggle. Every visible string comes from here, by key.

const STRINGS = {
  zh: {
    title: "城市运行管理服务 · 大屏",
    lang: "English",
    token: "访问令牌",
    tokenHint: "粘贴 Bearer 令牌 (make token ROLE=analyst)",
    login: "登录",
    logout: "退出",
    needToken: "请输入访问令牌以读取数据",
    badToken: "令牌无效或已过期, 请重新登录",
    forbidden: "当前角色无权读取此数据",
    from: "起",
    to: "止",
    category: "类别",
    allCategories: "全部类别",
    level: "层级",
    query: "查询",
    last7: "近7天",
    last30: "近30天",
    thisMonth: "本月",
    thisYear: "今年",
    district: "区",
    street: "街道",
    community: "社区",
    grid: "网格",
    unit: "责任单位",
    city: "全市",
    kpiReports: "上报",
    kpiOpened: "立案",
    kpiMerged: "并单",
    kpiCloseRate: "结案率",
    kpiActiveShare: "主动发现率",
    mapTitle: "案件密度",
    mapUnit: "件/平方公里",
    count: "案件数",
    density: "密度",
    trendsTitle: "趋势",
    reported: "上报",
    closed: "结案",
    day: "日",
    week: "周",
    month: "月",
    sourcesTitle: "主动发现 / 被动受理",
    active: "主动 (网格巡查 + 社区吹哨)",
    passive: "被动 (热线 + 公众)",
    assessmentTitle: "考核排名",
    rank: "名次",
    name: "名称",
    score: "得分",
    grade: "等级",
    recurrencesTitle: "反复发生热点",
    windowDays: "窗口(天)",
    code: "编码",
    cases: "案件",
    searchTitle: "案件查询",
    searchHint: "案件编号、描述或案件 ID",
    search: "查询",
    caseNumber: "案件编号",
    channel: "渠道",
    reportedAt: "上报时间",
    closedAt: "结案时间",
    traceTitle: "案件轨迹",
    traceHint: "在案件查询或热点中点击一个案件, 查看其全流程轨迹",
    stages: "环节",
    stage: "环节",
    startedAt: "开始",
    endedAt: "结束",
    hours: "用时(小时)",
    limitHours: "时限(小时)",
    late: "超时",
    onTime: "按时",
    events: "事件",
    mergedReports: "并入的上报",
    noData: "暂无数据",
    unavailable: "—",
    unavailableNote: "此接口尚未提供",
    notFound: "未找到该案件",
    close: "关闭",
    grid_channel: "网格",
    whistle: "吹哨",
    hotline: "热线",
    public: "公众",
  },
  en: {
    title: "City operations · Dashboard",
    lang: "中文",
    token: "Access token",
    tokenHint: "Paste a bearer token (make token ROLE=analyst)",
    login: "Sign in",
    logout: "Sign out",
    needToken: "Enter an access token to read the figures",
    badToken: "The token is invalid or expired: sign in again",
    forbidden: "Your role may not read this",
    from: "From",
    to: "To",
    category: "Category",
    allCategories: "All categories",
    level: "Level",
    query: "Apply",
    last7: "7 days",
    last30: "30 days",
    thisMonth: "This month",
    thisYear: "This year",
    district: "District",
    street: "Street",
    community: "Community",
    grid: "Grid",
    unit: "Unit",
    city: "City",
    kpiReports: "Reports",
    kpiOpened: "Cases opened",
    kpiMerged: "Merged",
    kpiCloseRate: "Close rate",
    kpiActiveShare: "Found actively",
    mapTitle: "Case density",
    mapUnit: "cases/km²",
    count: "Cases",
    density: "Density",
    trendsTitle: "Trend",
    reported: "Reported",
    closed: "Closed",
    day: "Day",
    week: "Week",
    month: "Month",
    sourcesTitle: "Active / passive",
    active: "Active (grid patrol + whistle)",
    passive: "Passive (hotline + public)",
    assessmentTitle: "Assessment ranking",
    rank: "Rank",
    name: "Name",
    score: "Score",
    grade: "Grade",
    recurrencesTitle: "Recurrence hotspots",
    windowDays: "Window (days)",
    code: "Code",
    cases: "Cases",
    searchTitle: "Case search",
    searchHint: "Case number, description or case id",
    search: "Search",
    caseNumber: "Case number",
    channel: "Channel",
    reportedAt: "Reported",
    closedAt: "Closed",
    traceTitle: "Case trace",
    traceHint: "Click a case in the search or the hotspots to see its whole trace",
    stages: "Stages",
    stage: "Stage",
    startedAt: "Started",
    endedAt: "Ended",
    hours: "Hours",
    limitHours: "Limit (h)",
    late: "late",
    onTime: "on time",
    events: "Events",
    mergedReports: "Merged reports",
    noData: "No data",
    unavailable: "—",
    unavailableNote: "not served yet",
    notFound: "No such case",
    close: "Close",
    grid_channel: "Grid",
    whistle: "Whistle",
    hotline: "Hotline",
    public: "Public",
  },
};

// Event types and stages a person reads in the trace; others show as they are named.
const EVENT_LABELS = {
  "intake.ReportSubmitted": ["上报", "Report submitted"],
  "intake.ReportReceived": ["受理", "Report received"],
  "intake.ReportLinked": ["并单", "Report merged"],
  "dispatch.AssignmentOpened": ["待派遣", "Assignment opened"],
  "dispatch.ConfirmationRequested": ["待核实", "Confirmation requested"],
  "dispatch.CaseConfirmed": ["核实", "Confirmed"],
  "dispatch.CaseRouted": ["派遣", "Routed"],
  "dispatch.CaseUnroutable": ["无法派遣", "Unroutable"],
  "dispatch.CaseSignedFor": ["签收", "Signed for"],
  "dispatch.CaseReturned": ["退单", "Returned"],
  "dispatch.CaseVoided": ["作废", "Voided"],
  "dispatch.SelfDisposalRecorded": ["自行处置", "Self-disposed"],
  "dispatch.SummonsIssued": ["吹哨", "Summons issued"],
  "dispatch.DepartmentReportedIn": ["报到", "Reported in"],
  "dispatch.ExtensionRequested": ["延期申请", "Extension requested"],
  "dispatch.ExtensionApproved": ["延期批准", "Extension approved"],
  "dispatch.ParkRequested": ["挂账申请", "Park requested"],
  "dispatch.ParkApproved": ["挂账批准", "Park approved"],
  "closure.ClosureOpened": ["待处置", "Closure opened"],
  "closure.DisposalStarted": ["开始处置", "Disposal started"],
  "closure.DisposalReported": ["处置反馈", "Disposal reported"],
  "closure.VerificationPassed": ["核查通过", "Verification passed"],
  "closure.VerificationFailed": ["核查不通过", "Verification failed"],
  "closure.ReworkOrdered": ["返工", "Rework ordered"],
  "closure.CallbackRecorded": ["回访", "Call-back recorded"],
  "closure.CaseClosed": ["结案", "Closed"],
  "closure.CaseReopened": ["重新办理", "Reopened"],
  "closure.CaseParked": ["挂账", "Parked"],
  "closure.CaseResumed": ["恢复办理", "Resumed"],
  "closure.DeadlineWarned": ["即将超期", "Deadline warning"],
  "closure.DeadlineOverdue": ["超期", "Overdue"],
};
const STAGE_LABELS = {
  report: ["上报", "Report"],
  confirmation: ["核实", "Confirmation"],
  dispatch: ["派遣", "Dispatch"],
  routing: ["派遣", "Routing"],
  sign_for: ["签收", "Sign for"],
  disposal: ["处置", "Disposal"],
  verification: ["核查", "Verification"],
  callback: ["回访", "Call-back"],
  close: ["结案", "Close"],
};

let lang = sessionStorage.getItem("dashboard.lang") === "en" ? "en" : "zh";

export function language() {
  return lang;
}

export function setLanguage(next) {
  lang = next;
  sessionStorage.setItem("dashboard.lang", next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
}

export function t(key) {
  return STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
}

export function eventLabel(type) {
  const label = EVENT_LABELS[type];
  return label ? label[lang === "zh" ? 0 : 1] : type;
}

export function stageLabel(stage) {
  const label = STAGE_LABELS[stage];
  return label ? label[lang === "zh" ? 0 : 1] : stage;
}

export function channelLabel(channel) {
  return t(channel === "grid" ? "grid_channel" : channel);
}

/** Put the strings into every element that names a key (`data-i18n`, `data-i18n-placeholder`). */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) {
    element.placeholder = t(element.dataset.i18nPlaceholder);
  }
  document.title = t("title");
}
