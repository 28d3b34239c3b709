// The instructor area's views, in the navigation's order (labels are catalogue keys).
export default [
  { name: 'home', label: 'instructor.nav_roster' },
  { name: 'what_if', label: 'instructor.nav_what_if' },
  { name: 'grading', label: 'instructor.nav_grading' },
  { name: 'plar', label: 'instructor.nav_plar' },
  { name: 'issuance', label: 'instructor.nav_issuance' },
  { name: 'editor', label: 'instructor.nav_editor' },
];
