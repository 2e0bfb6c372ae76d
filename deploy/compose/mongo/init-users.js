// Runs once, on the first start of an empty data volume (the image's docker-entrypoint-initdb.d hook).
// One application user with readWrite on the four service databases; the root account stays for operators.
const password = process.env.MONGO_APP_PASSWORD;
if (!password) {
  throw new Error("MONGO_APP_PASSWORD is not set");
}
const admin = db.getSiblingDB("admin");
if (!admin.getUser("whistle")) {
  admin.createUser({
    user: "whistle",
    pwd: password,
    roles: ["whistle_intake", "whistle_router", "whistle_notifier", "whistle_reports"].map(
      (name) => ({ role: "readWrite", db: name })
    ),
  });
}
