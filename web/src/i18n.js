/*
 * i18n.js - the app's words in Chinese (default) and English. t('key', {n})
 * reads the current locale, which a user switches in one click and which is
 * kept in localStorage. Names the server owns (states, actions, categories,
 * orgs) come with their Chinese from the server; English ones are here.
 */
import { ref } from 'vue';

const zh = {
	app: { name: '平安建设综合平台', short: '平安', district: '滨江区' },
	lang: { switch: 'English', label: '语言' },
	common: {
		loading: '加载中…', empty: '暂无数据', retry: '重试', error: '出错了', save: '保存', cancel: '取消',
		confirm: '确定', search: '搜索', reset: '重置', submit: '提交', back: '返回', close: '关闭',
		yes: '是', no: '否', all: '全部', more: '更多', refresh: '刷新', actions: '操作', detail: '详情',
		created: '创建时间', updated: '更新时间', name: '名称', code: '编码', none: '无', total: '共 {n} 条',
		totalCapped: '超过 {n} 条', loadMore: '加载更多', network: '网络不可用，请检查连接', saved: '已保存',
		required: '必填', copy: '复制', live: '实时', offline: '离线',
	},
	login: {
		title: '用户登录', username: '用户名', password: '密码', submit: '登 录', failed: '用户名或密码错误',
		locked: '账号已锁定，请 {m} 分钟后再试', throttled: '尝试次数过多，请稍后再试',
		subtitle: '平安建设 · 数字法治', citizen: '群众随手拍：我要反映问题', track: '查询办理进度',
		needUser: '请输入用户名', needPassword: '请输入密码', expired: '会话已结束，请重新登录',
	},
	nav: {
		cockpit: '驾驶舱', events: '事件办理', report: '事件上报', inbox: '消息', orgs: '组织与网格',
		admin: '系统管理', users: '用户管理', categories: '事件分类与时限', calendar: '工作日历',
		apiKeys: '接口密钥', webhooks: '消息推送', phone: '网格员手机端', logout: '退出登录', imports: '数据导入',
		password: '修改密码', profile: '个人信息',
	},
	roles: {
		admin: '系统管理员', security_admin: '安全管理员', audit_admin: '审计管理员', centre: '指挥中心',
		handler: '处置部门', grid_worker: '网格员', mediator: '调解员', inspector: '安监员', leader: '领导',
	},
	cockpit: {
		title: '平安建设驾驶舱', today: '今日上报', todayClosed: '今日办结', month: '本月上报',
		monthClosed: '本月办结', open: '在办事件', overdue: '超期事件', resolved: '累计办结',
		total: '事件总数', trend: '近 {n} 日事件趋势', reported: '上报', closed: '办结', byOrg: '各单位在办与超期',
		byCategory: '事件类别分布', byState: '事件状态分布', map: '网格分布', overdueList: '超期事件',
		mapOpen: '在办', mapOverdue: '超期', scopeLabel: '范围', lastUpdate: '更新于 {t}',
		byDept: '各部门在办与超期', noOverdue: '目前没有超期事件', rate: '办结率', ofOpen: '占在办 {p}%', undispatched: '未派遣', overdueDays: '超期 {n} 天', overdueHours: '超期 {n} 小时',
	},
	events: {
		title: '事件办理', filters: '筛选', state: '状态', category: '类别', org: '区域', urgency: '紧急程度',
		from: '开始日期', to: '结束日期', overdue: '超期', q: '标题、描述或地址', assignee: '处置部门',
		grid: '网格', receipt: '受理编号', reportedAt: '上报时间', deadline: '办理时限', exportCsv: '导出 CSV',
		savedFilters: '常用筛选', saveFilter: '保存当前筛选', filterName: '筛选名称', deleteFilter: '删除',
		noEvents: '没有符合条件的事件', overdueOnly: '仅超期', notOverdue: '未超期',
		id: '编号', titleCol: '标题', place: '位置', source: '来源', level: '上报层级',
		mine: '我的', exportNeedsServer: '导出需要服务器支持',
	},
	urgency: { 1: '一般', 2: '紧急', 3: '特急' },
	warning: { none: '正常', yellow: '预警', red: '超期' },
	source: { grid_worker: '网格员', centre: '中心', department: '部门', staff: '工作人员', citizen: '群众' },
	detail: {
		info: '基本信息', timeline: '办理过程', photos: '照片与附件', map: '位置', actions: '可办理操作',
		noActions: '您当前没有可办理的操作', reason: '原因', note: '说明', assigneeLabel: '派遣至',
		suggested: '建议：{d}', target: '合并到', days: '延期天数', rating: '满意度', evidence: '处置说明',
		upload: '上传照片或附件', uploaded: '已上传', duplicates: '疑似重复事件', noDuplicates: '附近没有疑似重复事件',
		version: '版本', pending: '待审批', extension: '延期申请 {n} 天', suspension: '缓办申请',
		done: '操作成功：{a}', outside: '位置不在任何网格内，请中心定位', notFound: '事件不存在或无权查看',
		actor: '操作人', merged: '已合并到事件 #{id}', description: '描述', address: '地址', deadline: '时限',
		evidenceHint: '处置完成需要说明或在本阶段上传的照片',
	},
	imports: {
		title: '数据导入', kind: '导入内容', file: '文件', pick: '选择文件', noFile: '请先选择文件',
		kinds: { divisions: '行政区划与部门（CSV）', grids: '网格边界（GeoJSON）', population: '常住人口（CSV）' },
		formats: {
			divisions: 'CSV（UTF-8），首行为列名，至少包含 code、name；可选 parent、kind、name_en。上级须在下级之前或已存在。',
			grids: 'GeoJSON FeatureCollection；每个要素的 properties.code 为所属社区下的 15 位网格编码，properties.name 为名称，几何为 Polygon 或 MultiPolygon。',
			population: 'CSV（UTF-8），列为 code、population、year、source：区、街道、社区或网格的常住人口，年份及数据出处（统计公报等）。',
		},
		check: '检查文件', run: '导入', refused: '文件未通过检查', nothing: '没有导入任何数据。',
		good: '文件检查通过', notYet: '尚未导入：确认无误后点击“导入”。', imported: '导入完成',
		counts: '共 {n} 条：新增 {c}，修改 {u}，不变 {s}。', another: '导入其他文件',
		restart: '新网格在地图和组织中已可见；按位置定位网格需在服务重启后生效。',
	},
	pii: {
		title: '反映人信息', name: '姓名', phone: '手机号码', id_no: '身份证号', address: '住址',
		show: '查看完整信息', hide: '隐藏', dialog: '查看完整个人信息', reason: '查看原因',
		reasonHint: '例如：回访核实办理结果', reasonShort: '请说明为什么需要查看完整信息（至少 2 个字）',
		reasonLong: '原因不超过 500 个字', reasonLine: '原因只能写一行',
		audited: '本次查看将被记录（查看人、时间、原因），供审计管理员核查。完整信息只在本页显示，离开即隐藏。',
		clear: '完整信息', recorded: '本次查看已记录。离开本页后恢复脱敏显示。', unreadable: '个人信息暂时无法读取',
	},
	report: {
		title: '事件上报', category: '事件类别', titleField: '标题', description: '描述', address: '地址',
		urgency: '紧急程度', point: '位置', pickOnMap: '在地图上点击选择位置', useGps: '使用当前位置',
		photos: '照片', submit: '提交上报', done: '上报成功，受理编号 {r}', needPointOrAddress: '请填写地址或选择位置',
		titleTooLong: '标题不超过 100 个字', descTooLong: '描述不超过 2000 个字', addrTooLong: '地址不超过 200 个字',
		duplicates: '附近 24 小时内有同类事件，中心可合并：', located: '所在网格：{g}', outsideGrid: '不在任何网格内',
		view: '查看事件', another: '继续上报',
	},
	citizen: {
		title: '群众随手拍', intro: '发现身边的安全隐患、环境问题、矛盾纠纷，请告诉我们。',
		contact: '联系电话（选填）', receipt: '您的受理编号', keep: '请保存受理编号以查询办理进度。',
		track: '查询办理进度', trackBtn: '查询', receiptField: '受理编号', notFound: '没有找到该编号',
		unavailable: '群众上报暂未开放', state: '当前状态', back: '返回登录', contactTooLong: '不超过 100 个字',
		notes: '办理情况', closedAt: '办结时间', tooMany: '提交过于频繁，请稍后再试',
		photoHint: '可附最多 {n} 张照片，仅工作人员可见', photoMax: '最多 {n} 张照片', photoBig: '{name} 超过 {mb} MB，未添加',
		photosSent: '已上传 {n} 张照片',
		rateTitle: '您对办理结果满意吗？', rateTexts: '很不满意|不满意|一般|满意|很满意', rateComment: '意见或建议（选填）',
		rateBtn: '提交评价', rateNeeded: '请选择星级', rated: '您的评价：',
	},
	inbox: {
		title: '消息', unreadOnly: '仅看未读', readAll: '全部标为已读', markRead: '标为已读', empty: '没有消息',
		kind: {
			assigned: '新派遣', returned: '退回', warning: '预警', overdue: '超期', escalated: '上报',
			supervised: '督办', reopened: '重新办理', merged: '已合并', outcome: '办理结果',
		},
	},
	orgs: {
		title: '组织与网格', tree: '组织架构', grids: '网格', kind: { district: '区', street: '街道', community: '社区', grid: '网格', department: '部门' },
		area: '面积', pick: '选择左侧单位查看网格', count: '{n} 个网格',
	},
	phone: {
		title: '网格员', tasks: '今日任务', report: '上报', mine: '我上报的', queued: '待发送 {n} 条',
		sent: '已发送', waiting: '待发送', offlineSaved: '网络不可用，已保存，联网后自动发送', takePhoto: '拍照',
		gps: '定位', gpsOk: '已定位 {lon}, {lat}', gpsFail: '无法获取位置', sync: '立即发送', noTasks: '今天没有待办任务',
		install: '添加到主屏幕', desktop: '电脑版',
	},
	admin: {
		users: '用户管理', addUser: '新增用户', username: '用户名', displayName: '姓名', org: '所属单位',
		roles: '角色', password: '初始密码', disable: '停用', disabled: '已停用', enabled: '启用',
		confirmDisable: '确定停用用户 {u}？其会话将全部结束。', categories: '事件分类与时限', edit: '编辑',
		department: '默认处置部门', deadlines: '各环节时限（工作小时）', history: '修改记录',
		stage: { register: '立案', dispatch: '派遣', accept: '签收', handle: '处置', verify: '核查', close: '结案' },
		byUrgency: '一般 / 紧急 / 特急', byUrgencyHint: '紧急、特急填 0 表示沿用低一级的时限',
		calendar: '工作日历', year: '年份', known: '已载入节假日', unknown: '未载入节假日', days: '节假日与调休',
		holiday: '放假', workday: '调休上班', addDay: '添加一天', saveYear: '保存整年', workingHours: '工作时间',
		apiKeys: '接口密钥', newKey: '新建密钥', keyName: '名称', keyShown: '密钥只显示一次，请妥善保存：',
		revoke: '吊销', revoked: '已吊销', webhooks: '消息推送', url: '地址', kinds: '消息类型', newHook: '新建推送',
		secretShown: '签名密钥只显示一次：', deliveries: '投递记录', status: '状态', lastUsed: '最近使用',
		passwordPolicy: '至少 12 位，包含大写、小写、数字、符号中的三类',
	},
	password: { old: '原密码', new: '新密码', again: '再次输入', mismatch: '两次输入不一致', done: '密码已修改，请重新登录' },
	error: { title: '出错了', notFound: '页面不存在', forbidden: '没有权限', home: '返回首页' },
	actions: {
		register: '立案', reject: '不予受理', merge: '合并', dispatch: '派遣', accept: '签收', return: '退回',
		handle: '处置完成', verify: '核查通过', rework: '核查不通过', close: '结案', request_extension: '申请延期',
		approve_extension: '同意延期', refuse_extension: '不同意延期', request_suspension: '申请缓办',
		approve_suspension: '同意缓办', refuse_suspension: '不同意缓办', resume: '恢复办理', void: '作废',
		escalate: '上报', supervise: '督办', reopen: '重新办理', rate: '评价', report: '上报',
		warning: '预警', overdue: '超期',
	},
};

const en = {
	app: { name: 'Pingan Safe Community Platform', short: 'Pingan', district: 'Binjiang' },
	lang: { switch: '中文', label: 'Language' },
	common: {
		loading: 'Loading…', empty: 'Nothing here yet', retry: 'Retry', error: 'Something went wrong', save: 'Save',
		cancel: 'Cancel', confirm: 'OK', search: 'Search', reset: 'Reset', submit: 'Submit', back: 'Back',
		close: 'Close', yes: 'Yes', no: 'No', all: 'All', more: 'More', refresh: 'Refresh', actions: 'Actions',
		detail: 'Details', created: 'Created', updated: 'Updated', name: 'Name', code: 'Code', none: 'None',
		total: '{n} in all', totalCapped: 'more than {n}', loadMore: 'Load more',
		network: 'The network is unavailable; check the connection', saved: 'Saved', required: 'Required',
		copy: 'Copy', live: 'Live', offline: 'Offline',
	},
	login: {
		title: 'Sign in', username: 'User name', password: 'Password', submit: 'Sign in',
		failed: 'Wrong user name or password', locked: 'The account is locked; try again in {m} minutes',
		throttled: 'Too many attempts; try again later', subtitle: 'Safe community · Rule of law',
		citizen: 'Citizens: report a problem', track: 'Track a report', needUser: 'Enter your user name',
		needPassword: 'Enter your password', expired: 'Your session ended; sign in again',
	},
	nav: {
		cockpit: 'Cockpit', events: 'Case desk', report: 'Report', inbox: 'Inbox', orgs: 'Orgs & grids',
		admin: 'Administration', users: 'Users', categories: 'Categories & deadlines', calendar: 'Calendar',
		apiKeys: 'API keys', webhooks: 'Webhooks', phone: 'Grid-worker app', logout: 'Sign out', imports: 'Imports',
		password: 'Change password', profile: 'Profile',
	},
	roles: {
		admin: 'Administrator', security_admin: 'Security admin', audit_admin: 'Audit admin', centre: 'Centre',
		handler: 'Handler', grid_worker: 'Grid worker', mediator: 'Mediator', inspector: 'Inspector', leader: 'Leader',
	},
	cockpit: {
		title: 'Safe community cockpit', today: 'Reported today', todayClosed: 'Closed today',
		month: 'Reported this month', monthClosed: 'Closed this month', open: 'Open', overdue: 'Overdue',
		resolved: 'Resolved', total: 'All events', trend: 'Last {n} days', reported: 'Reported', closed: 'Closed',
		byOrg: 'Open and overdue by place', byCategory: 'By category', byState: 'By state', map: 'Grids',
		overdueList: 'Overdue events', mapOpen: 'Open', mapOverdue: 'Overdue', scopeLabel: 'Scope',
		lastUpdate: 'Updated {t}', byDept: 'Open and overdue by department', noOverdue: 'No overdue events',
		rate: 'Resolved', ofOpen: '{p}% of open', undispatched: 'Not dispatched', overdueDays: '{n} d overdue', overdueHours: '{n} h overdue',
	},
	events: {
		title: 'Case desk', filters: 'Filters', state: 'State', category: 'Category', org: 'Place',
		urgency: 'Urgency', from: 'From', to: 'To', overdue: 'Overdue', q: 'Title, description or address',
		assignee: 'Department', grid: 'Grid', receipt: 'Receipt', reportedAt: 'Reported', deadline: 'Deadline',
		exportCsv: 'Export CSV', savedFilters: 'Saved filters', saveFilter: 'Save these filters',
		filterName: 'Filter name', deleteFilter: 'Delete', noEvents: 'No events match', overdueOnly: 'Overdue only',
		notOverdue: 'Not overdue', id: 'No.', titleCol: 'Title', place: 'Place', source: 'Source', level: 'Level',
		mine: 'Mine', exportNeedsServer: 'Export needs server support',
	},
	urgency: { 1: 'Normal', 2: 'Urgent', 3: 'Critical' },
	warning: { none: 'On time', yellow: 'Warning', red: 'Overdue' },
	source: { grid_worker: 'Grid worker', centre: 'Centre', department: 'Department', staff: 'Staff', citizen: 'Citizen' },
	detail: {
		info: 'Details', timeline: 'Timeline', photos: 'Photos and files', map: 'Location', actions: 'Actions',
		noActions: 'Nothing for you to do on this event now', reason: 'Reason', note: 'Note',
		assigneeLabel: 'Dispatch to', suggested: 'Suggested: {d}', target: 'Merge into', days: 'Days',
		rating: 'Rating', evidence: 'What was done', upload: 'Upload a photo or file', uploaded: 'Uploaded',
		duplicates: 'Possible duplicates', noDuplicates: 'No possible duplicates nearby', version: 'Version',
		pending: 'Pending', extension: 'Extension of {n} days requested', suspension: 'Suspension requested',
		done: 'Done: {a}', outside: 'Outside every grid: the centre places it', notFound: 'No such event, or not yours to see',
		actor: 'By', merged: 'Merged into event #{id}', description: 'Description', address: 'Address',
		deadline: 'Deadline', evidenceHint: 'Handling needs a note or a photo uploaded in this stage',
	},
	imports: {
		title: 'Imports', kind: 'What to import', file: 'File', pick: 'Choose a file', noFile: 'Choose a file first',
		kinds: { divisions: 'Divisions and departments (CSV)', grids: 'Grid boundaries (GeoJSON)', population: 'Population (CSV)' },
		formats: {
			divisions: 'CSV (UTF-8) with a header row naming at least code and name; optional parent, kind, name_en. Parents come before their children or exist already.',
			grids: 'A GeoJSON FeatureCollection; each feature has properties.code (a 15-digit grid code under its community), properties.name, and a Polygon or MultiPolygon.',
			population: 'CSV (UTF-8) with the columns code, population, year, source: residents of a district, street, community or grid, the year and the publication the figure comes from.',
		},
		check: 'Check the file', run: 'Import', refused: 'The file was refused', nothing: 'Nothing was imported.',
		good: 'The file is good', notYet: 'Not imported yet: click "Import" when it looks right.', imported: 'Imported',
		counts: '{n} records: {c} new, {u} changed, {s} unchanged.', another: 'Import another file',
		restart: 'The new grids show on the map and in the org tree now; locating points in them takes effect after the server restarts.',
	},
	pii: {
		title: 'Reporter', name: 'Name', phone: 'Mobile', id_no: 'ID number', address: 'Address',
		show: 'Show', hide: 'Hide', dialog: 'Show the full personal data', reason: 'Reason',
		reasonHint: 'e.g. call back to check the outcome', reasonShort: 'Say why the full data is needed (2 characters at least)',
		reasonLong: 'At most 500 characters', reasonLine: 'The reason must be one line',
		audited: 'This read is recorded (who, when, why) for the audit administrator. The full data is shown on this page only and hidden when you leave.',
		clear: 'Full data', recorded: 'This read was recorded. Leaving the page masks the data again.', unreadable: 'The personal data cannot be read now',
	},
	report: {
		title: 'Report an event', category: 'Category', titleField: 'Title', description: 'Description',
		address: 'Address', urgency: 'Urgency', point: 'Location', pickOnMap: 'Click the map to set the location',
		useGps: 'Use my position', photos: 'Photos', submit: 'Submit', done: 'Reported; receipt {r}',
		needPointOrAddress: 'Give an address or a location', titleTooLong: 'At most 100 characters',
		descTooLong: 'At most 2000 characters', addrTooLong: 'At most 200 characters',
		duplicates: 'Open events of this category nearby in the last 24 h (the centre may merge):',
		located: 'Grid: {g}', outsideGrid: 'Outside every grid', view: 'Open the event', another: 'Report another',
	},
	citizen: {
		title: 'Report a problem', intro: 'Tell us about hazards, environmental problems or disputes around you.',
		contact: 'Phone (optional)', receipt: 'Your receipt number', keep: 'Keep the receipt number to track your report.',
		track: 'Track a report', trackBtn: 'Track', receiptField: 'Receipt number', notFound: 'No report with that number',
		unavailable: 'Citizen reports are not open yet', state: 'State', back: 'Back to sign in',
		contactTooLong: 'At most 100 characters', notes: 'Progress', closedAt: 'Closed', tooMany: 'Too many reports; try again later',
		photoHint: 'Up to {n} photos, seen by staff only', photoMax: 'At most {n} photos', photoBig: '{name} is larger than {mb} MB: not added',
		photosSent: '{n} photos uploaded',
		rateTitle: 'Are you satisfied with how it was resolved?', rateTexts: 'Very unsatisfied|Unsatisfied|Neutral|Satisfied|Very satisfied',
		rateComment: 'Comments (optional)', rateBtn: 'Send rating', rateNeeded: 'Choose a number of stars', rated: 'Your rating:',
	},
	inbox: {
		title: 'Inbox', unreadOnly: 'Unread only', readAll: 'Mark all read', markRead: 'Mark read', empty: 'No messages',
		kind: {
			assigned: 'Assigned', returned: 'Returned', warning: 'Warning', overdue: 'Overdue', escalated: 'Escalated',
			supervised: 'Supervised', reopened: 'Reopened', merged: 'Merged', outcome: 'Outcome',
		},
	},
	orgs: {
		title: 'Orgs & grids', tree: 'Organisation', grids: 'Grids',
		kind: { district: 'District', street: 'Street', community: 'Community', grid: 'Grid', department: 'Department' },
		area: 'Area', pick: 'Pick a unit on the left to see its grids', count: '{n} grids',
	},
	phone: {
		title: 'Grid worker', tasks: "Today's tasks", report: 'Report', mine: 'My reports', queued: '{n} waiting to send',
		sent: 'Sent', waiting: 'Waiting', offlineSaved: 'No network: saved, it will be sent when the network returns', takePhoto: 'Photo',
		gps: 'Locate', gpsOk: 'Located {lon}, {lat}', gpsFail: 'No position available', sync: 'Send now',
		noTasks: 'Nothing to do today', install: 'Add to home screen', desktop: 'Desktop',
	},
	admin: {
		users: 'Users', addUser: 'Add user', username: 'User name', displayName: 'Name', org: 'Org', roles: 'Roles',
		password: 'Initial password', disable: 'Disable', disabled: 'Disabled', enabled: 'Enabled',
		confirmDisable: 'Disable {u}? All their sessions end.', categories: 'Categories & deadlines', edit: 'Edit',
		department: 'Default department', deadlines: 'Stage deadlines (working hours)', history: 'History',
		stage: { register: 'Register', dispatch: 'Dispatch', accept: 'Accept', handle: 'Handle', verify: 'Verify', close: 'Close' },
		byUrgency: 'normal / urgent / critical', byUrgencyHint: 'An urgent or critical deadline of 0 runs under the lower urgency\'s',
		calendar: 'Working calendar', year: 'Year', known: 'Holidays loaded', unknown: 'No holiday data',
		days: 'Holidays and adjusted working days', holiday: 'Holiday', workday: 'Working day', addDay: 'Add a day',
		saveYear: 'Save the year', workingHours: 'Working hours', apiKeys: 'API keys', newKey: 'New key',
		keyName: 'Name', keyShown: 'The key is shown once; keep it safe:', revoke: 'Revoke', revoked: 'Revoked',
		webhooks: 'Webhooks', url: 'URL', kinds: 'Kinds', newHook: 'New webhook', secretShown: 'The signing secret is shown once:',
		deliveries: 'Deliveries', status: 'Status', lastUsed: 'Last used',
		passwordPolicy: 'At least 12 characters, three of upper case, lower case, digits, symbols',
	},
	password: { old: 'Current password', new: 'New password', again: 'Again', mismatch: 'The two differ', done: 'Password changed; sign in again' },
	error: { title: 'Something went wrong', notFound: 'No such page', forbidden: 'Not allowed', home: 'Home' },
	actions: {
		register: 'Register', reject: 'Reject', merge: 'Merge', dispatch: 'Dispatch', accept: 'Accept', return: 'Return',
		handle: 'Handled', verify: 'Verify', rework: 'Rework', close: 'Close', request_extension: 'Request extension',
		approve_extension: 'Approve extension', refuse_extension: 'Refuse extension',
		request_suspension: 'Request suspension', approve_suspension: 'Approve suspension',
		refuse_suspension: 'Refuse suspension', resume: 'Resume', void: 'Void', escalate: 'Escalate',
		supervise: 'Supervise', reopen: 'Reopen', rate: 'Rate', report: 'Reported', warning: 'Warning', overdue: 'Overdue',
	},
};

const states_en = {
	reported: 'Reported', registered: 'Registered', dispatched: 'Dispatched', handling: 'Handling',
	handled: 'Handled', verified: 'Verified', returned: 'Returned', suspended: 'Suspended', closed: 'Closed',
	rejected: 'Rejected', merged: 'Merged', voided: 'Voided',
};
const states_zh = {
	reported: '待受理', registered: '已立案', dispatched: '已派遣', handling: '处置中', handled: '已处置',
	verified: '已核查', returned: '已退回', suspended: '缓办', closed: '已结案', rejected: '不予受理',
	merged: '已合并', voided: '已作废',
};
zh.states = states_zh;
en.states = states_en;

/* the login's second factor, the enrolment and the forced password change */
zh.stage = {
	codeLabel: '动态验证码', codeHint: '请输入身份验证器应用（如 FreeOTP、Google Authenticator）显示的 6 位数字',
	codeFormat: '验证码为 {n} 位数字', loginFailedOtp: '用户名、密码或验证码错误',
	enrolTitle: '绑定动态验证码', enrolWhy: '您的角色须使用双因素登录：请先绑定身份验证器，完成后才能使用系统。',
	step1: '在手机上安装身份验证器应用（支持 TOTP 的任一应用）。', step2: '用该应用扫描下方二维码，或手动输入密钥。',
	step3: '输入应用显示的 6 位验证码，完成绑定。', qrAlt: '动态验证码二维码', manual: '无法扫码时，手动输入密钥：',
	params: '算法 {alg}，{n} 位，每 {s} 秒更新', confirm: '确认绑定', wrongCode: '验证码不正确，请输入应用当前显示的验证码',
	enrolled: '已绑定动态验证码，今后登录须输入验证码',
	passwordTitle: '请修改密码', passwordWhy: '您的密码已过期或由管理员设置，请先设置自己的新密码，完成后才能使用系统。',
	policyLength: '至少 12 个字符', policyClasses: '包含小写字母、大写字母、数字、其他字符中的至少三类',
	policyName: '不能包含用户名', policyCommon: '不能是常见密码', tooShort: '新密码至少 12 个字符',
	passwordChanged: '密码已修改', signInAgain: '密码已修改，请用新密码登录',
};
en.stage = {
	codeLabel: 'One-time code', codeHint: 'The 6 digits your authenticator app (FreeOTP, Google Authenticator…) shows',
	codeFormat: 'The code is {n} digits', loginFailedOtp: 'Wrong user name, password or code',
	enrolTitle: 'Set up your second factor', enrolWhy: 'Your role signs in with a second factor: set up an authenticator app before using the platform.',
	step1: 'Install an authenticator app (any app with TOTP) on your phone.', step2: 'Scan the QR code below with it, or type the key.',
	step3: 'Enter the 6-digit code the app shows to finish.', qrAlt: 'QR code of the one-time code secret', manual: 'Cannot scan? Type this key:',
	params: '{alg}, {n} digits, a new code every {s} s', confirm: 'Confirm', wrongCode: 'Wrong code; enter the code the app shows now',
	enrolled: 'Second factor set up: sign-ins will ask for a code',
	passwordTitle: 'Change your password', passwordWhy: 'Your password expired or was set by an administrator: choose your own before using the platform.',
	policyLength: 'At least 12 characters', policyClasses: 'Three of: lower case, upper case, digits, other characters',
	policyName: 'Not containing your user name', policyCommon: 'Not a common password', tooShort: 'The new password needs at least 12 characters',
	passwordChanged: 'Password changed', signInAgain: 'Password changed; sign in with the new one',
};

export const STATES = Object.keys(states_en);
export const OPEN_STATES = STATES.filter((s) => !['closed', 'rejected', 'merged', 'voided'].includes(s));

/* a role added with assessment (考评) */
zh.roles.assessor = '考评员';
en.roles.assessor = 'Assessor';

/* the audit administrator's screen */
zh.audit = {
	title: '审计日志', verify: '校验审计链', sign: '立即签署锚点', signed: '已签署锚点（至第 {seq} 条）',
	intact: '审计链完整：{n} 条记录，校验锚点 {a} 个', broken: '审计链校验发现 {n} 处问题',
	days: '日期', from: '开始日期', to: '结束日期', user: '用户', action: '操作', actionHint: '如 event. 或 login',
	object: '对象', outcome: '结果', at: '时间', detail: '详情',
};
en.audit = {
	title: 'Audit log', verify: 'Verify the chain', sign: 'Sign an anchor now', signed: 'Anchor signed (up to record {seq})',
	intact: 'The chain is intact: {n} records, {a} anchors checked', broken: 'The chain check found {n} problems',
	days: 'Days', from: 'From', to: 'To', user: 'User', action: 'Action', actionHint: 'e.g. event. or login',
	object: 'Object', outcome: 'Outcome', at: 'Time', detail: 'Detail',
};

/* the assessment section (考评) and the cockpit's ranking board */
zh.nav.assess = '考评';
en.nav.assess = 'Assessment';
zh.assess = {
	title: '平安建设考评', tabs: { results: '考评结果', adjustments: '加分扣分', commendations: '表彰', units: '示范单位' },
	level: { street: '街道', community: '社区', grid: '网格', department: '部门', grid_worker: '网格员' },
	levelCol: '层级', period: '考评期', periodHint: '选择或输入考评期',
	badPeriod: '“{p}”不是考评期：请写月份（2026-05）、季度（2026-Q2）、年份（2026）或日期区间（2026-05-01..2026-05-20）',
	board: '争先进位榜 · {p}', index: '平安指数', score: '得分', rank: '名次', change: '名次变化', tie: '并列',
	unranked: '不排名', noPrev: '—', same: '持平', smallCol: '样本', small: '样本不足', smallN: '{n} 项样本不足',
	smallHint: '分母不足 {n} 件的指标标为样本不足，不计分、不排名。',
	tiesNote: '得分相同者名次并列，其后名次顺延（1、2、2、4）；名次变化与上一考评期相比。',
	noRanks: '本期暂无排名', noUnits: '本层级暂无考评对象', provisional: '临时结果（按当前记录计算）',
	closedV: '已定稿 · 第 {v} 版', range: '{from} 至 {to}', computedBy: '{at} 由 {by} 计算', liveNote: '未定稿：每次打开都按当前记录重新计算',
	versionLabel: '第 {v} 版 · {by} · {at}', versionReason: '第 {v} 版重新计算的原因：{r}',
	close: '定稿（生成第 1 版）', closeConfirm: '定稿 {p}？定稿后的结果不随记录变化，更正须重新计算。',
	closedDone: '已定稿，第 {v} 版', notEnded: '考评期尚未结束，结束后才能定稿。', recompute: '重新计算',
	recomputeWhy: '重新计算将按当前记录和已批准的加减分生成新版本，原版本仍可查阅。请写明原因。',
	reason: '原因', needReason: '请填写原因', recomputed: '已生成第 {v} 版（取代第 {old} 版）：{n} 个对象的得分或名次有变化',
	scoreBefore: '原得分', scoreAfter: '新得分', rankBefore: '原名次', rankAfter: '新名次',
	exportCsv: '导出 CSV', report: '打印报告', manual: '加减分', manualIncl: '含加减分 {n}', noManual: '无加减分',
	districtRank: '全区排名（并列者同名次）', prevRank: '上期第 {n} 名', notInScope: '没有该考评对象，或不在您的范围内',
	notScored: '不计分', noValue: '无数据（分母为 0）', noPopulation: '无数据（人口未导入）', weight: '权重', indScore: '指标得分', higher: '越高越好', lower: '越低越好',
	cardHint: '点击指标卡片查看其背后的案件。', value: '指标值', formula: '公式', measures: '计算口径',
	measure: '口径', published: '计算值', casesNow: '当前案件数', changedSince: '记录已变化', casesOf: '案件清单',
	noCases: '没有案件', noCaseList: '该指标没有可列出的案件（如人口）。', late: '超期', hoursValue: '{n} 小时',
	unit: '考评对象', points: '分值', plus: '加分', minus: '扣分', evidence: '依据材料',
	evidenceHint: '文件名称、文号或材料说明', adjAdd: '录入加分扣分', enteredBy: '录入人', status: '状态', note: '说明',
	adjStatus: { pending: '待审核', approved: '已批准', rejected: '已驳回' },
	needUnit: '请选择考评对象', pointsRange: '分值为 0.01 至 100', needEvidence: '请填写依据材料', tooLong: '不超过 {n} 个字',
	needNote: '请填写说明', approve: '批准', reject: '驳回', revoke: '撤销', approved: '已批准', rejected: '已驳回',
	otherDecides: '须由他人审核', noAdjustments: '本期没有加分扣分',
	adjOnApproval: '已录入，批准后计入本期得分', adjNextRecompute: '已录入；本期已定稿，批准后在下次重新计算时计入',
	generate: '生成候选名单', rule: '规则', top: '前几名', topRange: '名额为 1 至 1000 的整数',
	rules: { top_units: '先进单位', excellent_grid_workers: '优秀网格员' },
	closeFirst: '候选名单来自定稿结果：请先在“考评结果”中定稿本期。', generated: '已生成候选名单',
	basis: '依据', candStatus: { candidate: '候选', approved: '已批准', rejected: '未通过' },
	noCandidates: '本期还没有候选名单', publish: '发布表彰名单（{n}，打印报告）',
	unitsTab: '单位名录', desigTab: '示范单位评定', unitsNote: '企业、学校、场所、医院、市场等单位登记到网格。',
	unitAdd: '登记单位', noUnitsYet: '还没有登记的单位', kind: '类型',
	kinds: { enterprise: '企业', school: '学校', venue: '场所', hospital: '医院', market: '市场', other: '其他' },
	contact: '联系人', phone: '联系电话', needName: '请填写名称', needGrid: '请选择网格', demo: '示范单位',
	applyBtn: '申报示范', how: '方式', hows: { application: '申请', nomination: '推荐' },
	ruleText: '评定条件：所在网格近 12 个月内无特急（紧急程度 3）事件。提交后立即按记录核查。',
	check: '条件核查', checkPassed: '符合条件', checkFailed: '不符合：{n} 件特急事件',
	checkRule: '核查 {from} 至 {to}：所在网格特急事件 {n} 件', applied: '已提交，等待他人审批。',
	desig: { applied: '待审批', designated: '示范单位', rejected: '未批准', revoked: '已撤销', expired: '已过期' },
	desigDone: { approve: '已批准为示范单位', reject: '已驳回', revoke: '已撤销' },
	noDesig: '还没有申报', validity: '有效期', years: '有效年数（1-5 年）', history: '记录', system: '系统自动',
};
en.assess = {
	title: 'Safe community assessment', tabs: { results: 'Results', adjustments: 'Manual items', commendations: 'Commendations', units: 'Model units' },
	level: { street: 'Streets', community: 'Communities', grid: 'Grids', department: 'Departments', grid_worker: 'Grid workers' },
	levelCol: 'Level', period: 'Period', periodHint: 'Pick or type a period',
	badPeriod: '"{p}" is not a period: write a month (2026-05), a quarter (2026-Q2), a year (2026) or a range (2026-05-01..2026-05-20)',
	board: 'Ranking board · {p}', index: 'Safety index', score: 'Score', rank: 'Place', change: 'Change', tie: 'tie',
	unranked: 'Not ranked', noPrev: '—', same: 'Same', smallCol: 'Cases', small: 'Too few cases', smallN: 'Few cases: {n}',
	smallHint: 'An indicator over fewer than {n} cases is marked and neither scored nor ranked.',
	tiesNote: 'Equal scores share a place and the next place is skipped (1, 2, 2, 4); the change is against the previous period.',
	noRanks: 'No ranking for this period yet', noUnits: 'Nothing assessed at this level', provisional: 'Provisional (computed from the records now)',
	closedV: 'Closed · version {v}', range: '{from} to {to}', computedBy: 'computed {at} by {by}', liveNote: 'Open: computed from the records each time it is read',
	versionLabel: 'Version {v} · {by} · {at}', versionReason: 'Version {v} recomputed because: {r}',
	close: 'Close (version 1)', closeConfirm: 'Close {p}? Its results then stay as they are; corrections need a recompute.',
	closedDone: 'Closed, version {v}', notEnded: 'The period has not ended; it can be closed once it has.', recompute: 'Recompute',
	recomputeWhy: 'A recompute stores a new version from the records and the approved manual items as they are now; earlier versions stay readable. Give the reason.',
	reason: 'Reason', needReason: 'Give a reason', recomputed: 'Version {v} stored (supersedes version {old}): {n} units changed score or place',
	scoreBefore: 'Score before', scoreAfter: 'Score after', rankBefore: 'Place before', rankAfter: 'Place after',
	exportCsv: 'Export CSV', report: 'Printable report', manual: 'Manual', manualIncl: 'including manual items {n}', noManual: 'No manual items',
	districtRank: 'Place in the whole district (ties share a place)', prevRank: 'Place {n} in the previous period', notInScope: 'No such unit, or not in your scope',
	notScored: 'Not scored', noValue: 'No value (denominator 0)', noPopulation: 'No value (no population imported)', weight: 'Weight', indScore: 'Score', higher: 'Higher is better', lower: 'Lower is better',
	cardHint: 'Click a card to see the cases behind it.', value: 'Value', formula: 'Formula', measures: 'Measures',
	measure: 'Measure', published: 'Computed', casesNow: 'Cases now', changedSince: 'Records changed', casesOf: 'Cases',
	noCases: 'No cases', noCaseList: 'This indicator has no case list (population, say).', late: 'Late', hoursValue: '{n} h',
	unit: 'Unit', points: 'Points', plus: 'Add', minus: 'Deduct', evidence: 'Evidence',
	evidenceHint: 'Document name, number or description', adjAdd: 'Enter a manual item', enteredBy: 'Entered by', status: 'Status', note: 'Note',
	adjStatus: { pending: 'Pending', approved: 'Approved', rejected: 'Rejected' },
	needUnit: 'Pick a unit', pointsRange: 'Points are 0.01 to 100', needEvidence: 'Give the evidence', tooLong: 'At most {n} characters',
	needNote: 'Give a note', approve: 'Approve', reject: 'Reject', revoke: 'Revoke', approved: 'Approved', rejected: 'Rejected',
	otherDecides: 'Someone else decides', noAdjustments: 'No manual items in this period',
	adjOnApproval: 'Entered; it counts once approved', adjNextRecompute: 'Entered; the period is closed, so it counts at the next recompute once approved',
	generate: 'Generate candidates', rule: 'Rule', top: 'Top', topRange: 'Top is a whole number from 1 to 1000',
	rules: { top_units: 'Leading unit', excellent_grid_workers: 'Excellent grid worker' },
	closeFirst: 'Candidates come from published results: close the period under "Results" first.', generated: 'Candidates generated',
	basis: 'Basis', candStatus: { candidate: 'Candidate', approved: 'Approved', rejected: 'Rejected' },
	noCandidates: 'No candidates for this period yet', publish: 'Publish the list ({n}, printable report)',
	unitsTab: 'Units', desigTab: 'Model unit designations', unitsNote: 'Enterprises, schools, venues, hospitals and markets registered to grids.',
	unitAdd: 'Register a unit', noUnitsYet: 'No units registered yet', kind: 'Type',
	kinds: { enterprise: 'Enterprise', school: 'School', venue: 'Venue', hospital: 'Hospital', market: 'Market', other: 'Other' },
	contact: 'Contact', phone: 'Phone', needName: 'Give a name', needGrid: 'Pick a grid', demo: 'Model unit',
	applyBtn: 'Apply', how: 'How', hows: { application: 'Application', nomination: 'Nomination' },
	ruleText: 'The rule: no critical (urgency 3) event in the unit\'s grid in the last 12 months. Checked against the records at once.',
	check: 'Check', checkPassed: 'Meets the rule', checkFailed: 'Fails: {n} critical events',
	checkRule: 'Checked {from} to {to}: {n} critical events in the grid', applied: 'Submitted; someone else decides.',
	desig: { applied: 'Applied', designated: 'Model unit', rejected: 'Rejected', revoked: 'Revoked', expired: 'Expired' },
	desigDone: { approve: 'Designated a model unit', reject: 'Rejected', revoke: 'Revoked' },
	noDesig: 'No applications yet', validity: 'Valid', years: 'Years valid (1-5)', history: 'History', system: 'System',
};

const messages = { zh, en };
const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('pingan.locale') : null;
export const locale = ref(saved === 'en' ? 'en' : 'zh');

export function setLocale(l) {
	locale.value = l === 'en' ? 'en' : 'zh';
	localStorage.setItem('pingan.locale', locale.value);
	document.documentElement.lang = locale.value === 'en' ? 'en' : 'zh-CN';
}

function lookup(obj, key) {
	let v = obj;
	for (const part of key.split('.')) {
		if (v == null)
			return undefined;
		v = v[part];
	}
	return v;
}

export function t(key, params) {
	let s = lookup(messages[locale.value], key);
	if (s === undefined)
		s = lookup(messages.zh, key);
	if (typeof s !== 'string')
		return key;
	if (params)
		s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
	return s;
}

/* A name the server gives in Chinese with an optional English twin. */
export function nameOf(obj) {
	if (!obj)
		return '';
	return locale.value === 'en' && obj.name_en ? obj.name_en : obj.name;
}

export function fmtTime(iso) {
	if (!iso)
		return '';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return iso;
	return d.toLocaleString(locale.value === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai',
		year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function keys() {
	return { zh: Object.keys(zh), en: Object.keys(en) };
}
export { messages };
