// The admin views' strings (`admin.<key>`), locale en.
export default {
  title: 'Administration',
};
