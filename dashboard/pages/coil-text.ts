// The words of the coil pages (coil record, scanner, "no such coil") in English and Simplified
// Chinese, in the terms of a cold-rolling plant: 钢卷 coil, 牌号 grade, 机架 stand, 封锁/放行
// hold/release, 炉号 heat, 热轧原料卷 hot band. Statuses and severities are shown translated;
// the values posted by the forms stay the API's English words.
import type { Catalog } from '../../core/i18n.ts'

const en = {
  coil: 'Coil', grade: 'Grade', size: 'Size', weight: 'Weight', status: 'Status', thickness: 'Thickness',
  alarmsWhileRolled: 'Alarms while rolled', none: 'none', noneYet: 'None.',
  suspect: 'Suspect', suspectBadge: 'suspect',
  suspectWhy: 'An equipment alarm was active while this coil was rolled; check it before release.',
  signInForAll: 'Sign in for the full record',
  noThickness: 'no thickness data',
  meanNoTolerance: (mean: string) => `mean ${mean} µm (no tolerance known)`,
  tolerance: (ok: boolean, share: string, target: number, tol: number) => `${ok ? 'In tolerance' : 'OUT of tolerance'}: ${share} % of length within ${target} ± ${tol} µm`,
  noTrace: 'No thickness trace stored for this coil.',
  traceCaption: (lo: string, hi: string, s: string) => `Exit thickness ${lo}–${hi} µm over ${s} s; dashed: target ± tolerance.`,
  stats: { mean: 'Mean', min: 'min', max: 'max' },
  howRolled: 'How it was rolled', noSummary: 'No process summary yet.',
  stand: 'Stand', force: 'Force kN mean/max', tension: 'Tension kN', speed: 'Speed m/s', vibration: 'Vibration peak', zone: 'zone',
  details: 'Details', line: 'Line', heat: 'Heat', hotBand: 'Hot band', entry: 'Entry thickness', measured: 'Measured exit',
  length: 'Length', crewShift: 'Crew · shift', rolled: 'Rolled', standard: 'Standard',
  genealogy: 'Genealogy', splitFrom: 'Split from', splitInto: 'Split into', notSplit: 'Not split.',
  inspections: 'Inspections', history: 'History', at: 'at',
  printLabel: 'Print label', scanAnother: 'Scan another',
  qa: 'QA actions', holdReason: 'Hold reason', hold: 'Put on hold', release: 'Release',
  recordInspection: 'Record an inspection', defect: 'Defect', severity: 'Severity', position: 'Position from head end (m)', note: 'Note', save: 'Save inspection',
  statuses: { rolling: 'rolling', finished: 'finished', hold: 'hold', released: 'released', shipped: 'shipped', scrapped: 'scrapped' } as Record<string, string>,
  severities: { minor: 'minor', major: 'major', critical: 'critical' } as Record<string, string>,
  // the scanner and the "no such coil" page
  scanTitle: 'Scan', scanHeading: 'Scan a coil label', starting: 'Starting the camera…', startCamera: 'Start camera',
  typeId: 'Or type the coil ID', openCoil: 'Open coil',
  /** what the scanner's script says (dashboard/public/scan.js) */
  scanClient: { found: 'Found', point: 'Point the camera at the label.', unavailable: 'Camera unavailable', typeBelow: 'Type the coil ID below.', noCamera: 'This browser gives no camera access here (it needs HTTPS or localhost). Type the coil ID below.' },
  noSuchCoil: 'No such coil', checkLabel: 'Check the label, or type the coil ID.', idOrCode: 'Coil ID or code', open: 'Open', scanLabel: 'Scan a label',
  noCoil: (id: string) => `There is no coil "${id}" in millwatch.`,
  badCode: (why: string) => `This code names no coil: ${why}.`,
}

const zh: typeof en = {
  coil: '钢卷', grade: '牌号', size: '规格', weight: '重量', status: '状态', thickness: '厚度',
  alarmsWhileRolled: '轧制期间报警', none: '无', noneYet: '无。',
  suspect: '可疑', suspectBadge: '可疑',
  suspectWhy: '本卷轧制期间有设备报警，放行前请检查。',
  signInForAll: '登录查看完整记录',
  noThickness: '无厚度数据',
  meanNoTolerance: (mean: string) => `均值 ${mean} µm（未知公差）`,
  tolerance: (ok: boolean, share: string, target: number, tol: number) => `${ok ? '厚度合格' : '厚度超差'}：${share} % 的长度在 ${target} ± ${tol} µm 内`,
  noTrace: '本卷无厚度曲线数据。',
  traceCaption: (lo: string, hi: string, s: string) => `出口厚度 ${lo}–${hi} µm，共 ${s} 秒；虚线：目标值 ± 公差。`,
  stats: { mean: '均值', min: '最小', max: '最大' },
  howRolled: '轧制过程', noSummary: '尚无轧制过程汇总。',
  stand: '机架', force: '轧制力 kN 均值/最大', tension: '张力 kN', speed: '速度 m/s', vibration: '振动峰值', zone: '区',
  details: '详细信息', line: '产线', heat: '炉号', hotBand: '热轧原料卷', entry: '入口厚度', measured: '实测出口厚度',
  length: '长度', crewShift: '班组 · 班次', rolled: '轧制时间', standard: '标准',
  genealogy: '钢卷谱系', splitFrom: '分切自', splitInto: '分切为', notSplit: '未分切。',
  inspections: '检验记录', history: '状态历史', at: '位置',
  printLabel: '打印标签', scanAnother: '扫描下一卷',
  qa: '质检操作', holdReason: '封锁原因', hold: '封锁', release: '放行',
  recordInspection: '记录检验', defect: '缺陷', severity: '严重程度', position: '距头部位置 (m)', note: '备注', save: '保存检验记录',
  statuses: { rolling: '轧制中', finished: '已完成', hold: '封锁', released: '放行', shipped: '已发货', scrapped: '已报废' },
  severities: { minor: '轻微', major: '严重', critical: '致命' },
  scanTitle: '扫码', scanHeading: '扫描钢卷标签', starting: '正在启动摄像头…', startCamera: '启动摄像头',
  typeId: '或输入钢卷号', openCoil: '打开钢卷',
  scanClient: { found: '已识别', point: '请将摄像头对准标签。', unavailable: '摄像头不可用', typeBelow: '请在下方输入钢卷号。', noCamera: '此浏览器在这里无法使用摄像头（需要 HTTPS 或 localhost）。请在下方输入钢卷号。' },
  noSuchCoil: '没有这个钢卷', checkLabel: '请核对标签，或输入钢卷号。', idOrCode: '钢卷号或编码', open: '打开', scanLabel: '扫描标签',
  noCoil: (id: string) => `millwatch 中没有钢卷“${id}”。`,
  badCode: (why: string) => `此编码不对应任何钢卷：${why}。`,
}

export type CoilTexts = typeof en
export const COIL_TEXTS: Catalog<CoilTexts> = { en, 'zh-CN': zh }
export const coilTexts = (lang: string | undefined): CoilTexts => (lang === 'zh-CN' ? zh : en)
