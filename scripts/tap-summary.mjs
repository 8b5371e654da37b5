// Reads tap's output and prints the closing line CI and people look for: "N passed, N failed, N skipped".
let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => {
  const match = [...text.matchAll(/^# \{ (.*) \}$/gm)].pop();
  const counts = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
  if (match) {
    for (const part of match[1].split(',')) {
      const [key, value] = part.split(':').map((s) => s.trim());
      if (key in counts) counts[key] = Number(value);
    }
  }
  console.log(`tests: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`);
});
