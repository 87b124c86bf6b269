-- wrk script: POST /api/v1/events, a new report per request (durable create).
--   wrk ... -H "Authorization: Bearer TOKEN" -s bench/wrk_event_create.lua URL -- POINTS
-- POINTS is a file of "lon lat" lines inside the district's grids (scripts/bench.sh
-- takes them from existing events); each request reports one of them, moved by a
-- few metres, under a random category with the demo's title for it.
local points = {}
local reports = {
  { "0102", "垃圾桶满溢", "垃圾桶已满，周边散落垃圾" },
  { "0104", "建材堆放占道", "装修建材堆放在人行道上" },
  { "0201", "墙面张贴小广告", "单元门口及墙面张贴大量小广告" },
  { "0302", "道路破损坑洼", "路面出现坑洼，影响车辆通行" },
  { "0401", "楼道堆放杂物", "楼道内堆放纸箱等易燃杂物" },
  { "0403", "路段积水", "暴雨后路段积水较深" },
  { "0501", "占道摆摊", "流动摊贩在路口占道经营" },
  { "0503", "车辆乱停放", "机动车停放在消防通道上" },
  { "0601", "广场舞噪声", "夜间广场舞音响声音过大" },
  { "0701", "路灯损坏", "小区道路路灯损坏，夜间照明不足" },
}

function setup(thread)
  thread:set("thread_seed", math.random(1, 2 ^ 30))
end

function init(args)
  math.randomseed((thread_seed or 1) + os.time())
  for line in io.lines(args[1]) do
    local lon, lat = line:match("^(%S+)%s+(%S+)$")
    if lon then points[#points + 1] = { tonumber(lon), tonumber(lat) } end
  end
  if #points == 0 then points[1] = { 120.2116, 30.2088 } end
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local p = points[math.random(#points)]
  local r = reports[math.random(#reports)]
  local body = string.format(
    '{"category":"%s","title":"%s","description":"%s","lon":%.7f,"lat":%.7f}',
    r[1], r[2], r[3], p[1] + (math.random() - 0.5) * 1e-4, p[2] + (math.random() - 0.5) * 1e-4)
  return wrk.format("POST", "/api/v1/events", nil, body)
end
